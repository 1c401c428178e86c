package dev.tracestore.storage.jdbc;

/** The whole storage contract on H2 in memory. */
class H2MemoryTraceStorageTest extends JdbcContractTest {

    @Override
    Setup setup() {
        return Setup.H2_MEMORY;
    }
}
