package dev.tracestore.storage.jdbc;

/** The whole storage contract on an H2 file database under target/. */
class H2FileTraceStorageTest extends JdbcContractTest {

    @Override
    Setup setup() {
        return Setup.H2_FILE;
    }
}
