package dev.tracestore.storage.jdbc;

/** The whole storage contract on PostgreSQL. */
class PostgresTraceStorageTest extends JdbcContractTest {

    @Override
    Setup setup() {
        return Setup.POSTGRESQL;
    }
}
