package dev.tracestore.storage.jdbc;

import org.junit.jupiter.api.extension.ExtendWith;

/** The whole storage contract on MariaDB. */
@ExtendWith(MariaDbAvailable.class)
class MariaDbTraceStorageTest extends JdbcContractTest {

    @Override
    Setup setup() {
        return Setup.MARIADB;
    }
}
