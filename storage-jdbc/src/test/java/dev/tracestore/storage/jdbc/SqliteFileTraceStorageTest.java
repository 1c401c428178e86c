package dev.tracestore.storage.jdbc;

/** The whole storage contract on an SQLite file under target/. */
class SqliteFileTraceStorageTest extends JdbcContractTest {

    @Override
    Setup setup() {
        return Setup.SQLITE_FILE;
    }
}
