package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A store used before {@code migrate()}: every call fails saying so, on every database. */
class NotMigratedTest {

    @ParameterizedTest
    @EnumSource(Setup.class)
    void callsBeforeMigrate_failNamingMigrate(Setup setup) {
        if (setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        String name = "nm" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (HikariDataSource pool = new HikariDataSource(setup.config(name))) {
            TraceStore store = TraceStore.builder()
                    .storage(JdbcTraceStorage.builder(pool).tablePrefix(name + "_").build()).build();
            String advice = "the storage's tables (prefix \"" + name + "_\") do not exist; call migrate() first";
            assertThatThrownBy(() -> store.upsertTrace(TraceInput.of("ns", "t"))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("updating a trace failed").hasMessageContaining(advice)
                    .hasMessageContaining("db/tracestore/");
            assertThatThrownBy(() -> store.listTraces(TraceQuery.namespace("ns"))).isInstanceOf(StorageException.class)
                    .hasMessageContaining(advice);
            assertThatThrownBy(() -> store.getTrace(1)).isInstanceOf(StorageException.class)
                    .hasMessageContaining(advice);
        }
    }
}
