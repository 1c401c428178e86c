package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.testkit.NoContent;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A batch whose text holds a marker fails in the database, in several ways, and the marker is
 * in no message of the exception's whole chain, nor in its printed stack trace: drivers quote
 * bound values in their messages (PgJDBC's batch entries, a server's failing row). Nor is it in
 * anything the library logs meanwhile.
 */
class NoContentInErrorsTest {
    private static final String MARKER = "SECRET-MARKER-7f3a";

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    void aFailingBatchCarriesNoContent(Setup setup) throws SQLException {
        if (setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        String name = "nc" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        try (HikariDataSource pool = new HikariDataSource(setup.config(name))) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(name + "_").build();
            storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            long id = store.upsertTrace(TraceInput.of("ns", "t").withTitle("title " + MARKER)).id();
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                // A rule of the application's own, which the server enforces on the message rows.
                String table = storage.dialect().quote(name + "_messages");
                if (setup == Setup.SQLITE_FILE) { // SQLite adds no constraint to a table: a trigger does the same
                    s.execute("CREATE TRIGGER " + name + "_no_marker BEFORE INSERT ON " + table + " WHEN NEW.body LIKE '%"
                            + MARKER + "%' BEGIN SELECT RAISE(ABORT, 'the application refuses this message'); END");
                } else {
                    s.execute("ALTER TABLE " + table + " ADD CONSTRAINT " + name + "_no_marker CHECK (body NOT LIKE '%"
                            + MARKER + "%')");
                }
            }
            List<MessageInput> failing = List.of(
                    MessageInput.of("a", 1, Role.USER, "fine"),
                    MessageInput.of("b", 2, Role.USER, "the text holds " + MARKER + " and the rule refuses it"));
            String logged = NoContent.logOutput(() -> {
                assertNoMarker(catchThrowable(() -> store.upsertMessagesBatch(id, failing)));
                assertNoMarker(catchThrowable(() -> store.upsertMessage(id, failing.get(1))));
            });
            assertThat(logged).as("what the library logged while the batches failed").doesNotContain(MARKER);
            if (setup == Setup.POSTGRESQL) {
                // A NUL, which PostgreSQL cannot store: the adapter refuses it before the database, naming the index only.
                Throwable nul = catchThrowable(() -> store.upsertMessage(id, MessageInput.of("c", 3, Role.USER, MARKER + "\u0000")));
                assertThat(nul).isInstanceOf(IllegalArgumentException.class);
                assertNoMarker(nul);
            }
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                for (String table : List.of("messages", "traces", "schema_history", "schema_lock")) {
                    s.execute("DROP TABLE IF EXISTS " + storage.dialect().quote(name + "_" + table));
                }
            }
        }
    }

    private static void assertNoMarker(Throwable thrown) {
        assertThat(thrown).isInstanceOfAny(StorageException.class, IllegalArgumentException.class);
        String printed = NoContent.assertNotIn(thrown, MARKER);
        if (thrown instanceof StorageException) {
            assertThat(printed).as("the error is still identified").contains("SQLState");
        }
    }
}
