package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.UnaryOperator;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shipped scripts ({@code db/tracestore/<dialect>/V1__create_tables.sql}, {@code V2__totals.sql}, {@code V3__share_tokens.sql})
 * run by real Flyway, each database in an empty schema of its own: the storage works on what
 * Flyway made without {@code migrate()}; and what an application that mixes Flyway and
 * {@code migrate()} on one schema gets, pinned as it is (README, "Wire it to your database").
 */
class FlywayTest {
    /** Not the default {@code tracestore_}: the placeholder must reach every name. */
    private static final String PREFIX = "app_trace_";

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    @DisplayName("Flyway applies V1 to V3 with the prefix placeholder, and the storage works on them without migrate()")
    void flywayAlone_makesAWorkingSchema(Setup setup) {
        try (EmptySchema schema = new EmptySchema(setup)) {
            assertThat(schema.flyway(UnaryOperator.identity()).migrate().migrationsExecuted).isEqualTo(3);

            assertThat(schema.flywayHistory(UnaryOperator.identity()))
                    .containsExactly("1 SQL SUCCESS", "2 SQL SUCCESS", "3 SQL SUCCESS");
            assertThat(schema.tables()).as("only Flyway's tables: migrate() never ran")
                    .containsExactly("app_trace_messages", "app_trace_traces", "flyway_schema_history");
            assertStoreWorks(schema);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    @DisplayName("migrate() after Flyway finds no history of its own and runs V1 to V3 again: V2 fails on a"
            + " duplicate column, except on H2, whose V2 and V3 are idempotent; the schema keeps working")
    void migrateAfterFlyway_failsOnV2ExceptOnH2(Setup setup) {
        try (EmptySchema schema = new EmptySchema(setup)) {
            schema.flyway(UnaryOperator.identity()).migrate();
            JdbcTraceStorage storage = schema.storage();

            if (setup == Setup.H2_MEMORY) {
                assertThat(storage.migrate()).isEqualTo(3);
                assertThat(schema.migrateHistory()).as("both histories now record V1 to V3").containsExactly(1, 2, 3);
            } else {
                for (int start = 1; start <= 2; start++) {
                    assertThatThrownBy(storage::migrate).as("migrate() at start %d", start)
                            .isInstanceOf(StorageException.class)
                            .hasMessageContaining("migration V2__totals failed")
                            .hasMessageContaining(duplicateColumn(setup));
                }
                assertThat(schema.migrateHistory()).as("what migrate() recorded")
                        .isEqualTo(setup == Setup.SQLITE_FILE ? List.of() : List.of(1)); // SQLite rolls back the whole run
            }
            assertThat(schema.flywayHistory(UnaryOperator.identity()))
                    .containsExactly("1 SQL SUCCESS", "2 SQL SUCCESS", "3 SQL SUCCESS");
            assertStoreWorks(schema);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    @DisplayName("Flyway after migrate(), by default, refuses the non-empty schema without its history table and changes nothing")
    void flywayAfterMigrate_refusesByDefault(Setup setup) {
        try (EmptySchema schema = new EmptySchema(setup)) {
            assertThat(schema.storage().migrate()).isEqualTo(3);
            TreeSet<String> tables = schema.tables();

            assertThatThrownBy(() -> schema.flyway(UnaryOperator.identity()).migrate())
                    .isInstanceOf(FlywayException.class)
                    .hasMessageContaining("Found non-empty schema(s)")
                    .hasMessageContaining("but no schema history table. Use baseline() or set baselineOnMigrate to true");
            assertThat(schema.tables()).as("no flyway_schema_history").isEqualTo(tables)
                    .contains("app_trace_traces", "app_trace_messages", "app_trace_schema_history");
            assertStoreWorks(schema);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    @DisplayName("Flyway after migrate() with baselineOnMigrate and the default baselineVersion 1 runs V2 again:"
            + " it fails on a duplicate column (recorded as failed on MariaDB), except on H2")
    void flywayAfterMigrate_baselineAt1_runsV2Again(Setup setup) {
        try (EmptySchema schema = new EmptySchema(setup)) {
            schema.storage().migrate();
            UnaryOperator<FluentConfiguration> baseline = c -> c.baselineOnMigrate(true);

            if (setup == Setup.H2_MEMORY) {
                assertThat(schema.flyway(baseline).migrate().migrationsExecuted).isEqualTo(2);
            } else {
                assertThatThrownBy(() -> schema.flyway(baseline).migrate()).isInstanceOf(FlywayException.class)
                        .hasMessageContaining("Failed to execute script V2__totals.sql")
                        .rootCause().hasMessageContaining(duplicateColumn(setup));
            }
            String v2 = switch (setup) {
                case H2_MEMORY -> "2 SQL SUCCESS";
                case MARIADB -> "2 SQL FAILED"; // its schema changes are not transactional
                default -> "2 SQL PENDING"; // rolled back
            };
            String v3 = setup == Setup.H2_MEMORY ? "3 SQL SUCCESS" : "3 SQL PENDING";
            assertThat(schema.flywayHistory(baseline))
                    .containsExactly("1 SQL BASELINE_IGNORED", "1 BASELINE BASELINE", v2, v3);
            if (setup == Setup.MARIADB) {
                assertThatThrownBy(() -> schema.flyway(baseline).migrate()).as("the next start, before a repair()")
                        .isInstanceOf(FlywayException.class).hasMessageContaining("Validate failed");
            }
            assertStoreWorks(schema);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    @DisplayName("Flyway after migrate() with baselineOnMigrate and baselineVersion 3 records the baseline, applies"
            + " nothing, and the storage works")
    void flywayAfterMigrate_baselineAtTheLatest_takesOver(Setup setup) {
        try (EmptySchema schema = new EmptySchema(setup)) {
            schema.storage().migrate();
            UnaryOperator<FluentConfiguration> baseline = c -> c.baselineOnMigrate(true).baselineVersion("3");

            assertThat(schema.flyway(baseline).migrate().migrationsExecuted).isZero();
            assertThat(schema.flyway(baseline).migrate().migrationsExecuted).as("at the next start").isZero();

            assertThat(schema.flywayHistory(baseline))
                    .containsExactly("1 SQL BELOW_BASELINE", "2 SQL BELOW_BASELINE", "3 SQL BASELINE_IGNORED", "3 BASELINE BASELINE");
            assertThat(schema.storage().migrate()).as("migrate(), if still called: its own history is complete").isZero();
            assertStoreWorks(schema);
        }
    }

    /** A batch, the same batch re-sent, a recount and a list, on a storage built without migrate(). */
    private static void assertStoreWorks(EmptySchema schema) {
        TraceStore store = TraceStore.builder().storage(schema.storage()).build();
        long id = store.upsertTrace(TraceInput.of("team-42", "session-1").withTitle("on a Flyway schema")).id();
        List<MessageInput> batch = List.of(
                MessageInput.of("m-1", 1, Role.USER, "the date test fails"),
                MessageInput.of("m-2", 2, Role.ASSISTANT, "pinning the clock").withUsage(TokenUsage.of(120, 40))
                        .withToolCalls(3));
        store.upsertMessagesBatch(id, batch);
        store.upsertMessagesBatch(id, batch); // re-sent: counted twice, by design

        Recount recount = store.recalculateMessageCount(id);
        assertThat(recount.count()).isEqualTo(2);
        assertThat(recount.drift()).isEqualTo(2);
        assertThat(store.listTraces(TraceQuery.namespace("team-42")).items()).singleElement().satisfies(trace -> {
            assertThat(trace.title()).isEqualTo("on a Flyway schema");
            assertThat(trace.messageCount()).isEqualTo(2);
            assertThat(trace.toolCallCount()).isEqualTo(3);
            assertThat(trace.tokens()).isEqualTo(TokenUsage.of(120, 40));
        });
    }

    /** The database's message when V2 adds a column that exists. */
    private static String duplicateColumn(Setup setup) {
        return switch (setup) {
            case SQLITE_FILE -> "duplicate column name: tool_call_count";
            case POSTGRESQL -> "column \"tool_call_count\" of relation \"app_trace_traces\" already exists";
            case MARIADB -> "Duplicate column name 'tool_call_count'";
            default -> throw new IllegalArgumentException(setup.name());
        };
    }

    /**
     * An empty schema, as Flyway wants one: a fresh H2 or SQLite database, or on the shared
     * PostgreSQL and MariaDB servers (where other test classes' tables are) a schema or a
     * database of its own, dropped by {@link #close()}.
     */
    private static final class EmptySchema implements AutoCloseable {
        final Setup setup;
        final String name = "fw" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        final HikariDataSource pool;

        EmptySchema(Setup setup) {
            if (setup == Setup.MARIADB) {
                assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
            }
            this.setup = setup;
            HikariConfig config = setup.config(name);
            if (setup == Setup.POSTGRESQL) {
                admin(config, "CREATE SCHEMA " + name);
                config.setSchema(name);
            } else if (setup == Setup.MARIADB) {
                admin(config, "CREATE DATABASE " + name);
                config.setCatalog(name);
            }
            this.pool = new HikariDataSource(config);
        }

        /** Flyway as an application configures it for these scripts, with {@code options} on top. */
        Flyway flyway(UnaryOperator<FluentConfiguration> options) {
            String dialect = switch (setup) {
                case H2_MEMORY -> "h2";
                case SQLITE_FILE -> "sqlite";
                case POSTGRESQL -> "postgresql";
                case MARIADB -> "mysql";
                default -> throw new IllegalArgumentException(setup.name());
            };
            Map<String, String> placeholders = setup == Setup.MARIADB
                    ? Map.of("prefix", PREFIX, "idCollation", "utf8mb4_nopad_bin") // utf8mb4_0900_bin on MySQL
                    : Map.of("prefix", PREFIX);
            return options.apply(Flyway.configure().dataSource(pool).locations("classpath:db/tracestore/" + dialect)
                    .placeholders(placeholders)).load();
        }

        /** Flyway's view of the history, a line per migration: version, type, state. */
        List<String> flywayHistory(UnaryOperator<FluentConfiguration> options) {
            List<String> lines = new ArrayList<>();
            for (MigrationInfo info : flyway(options).info().all()) {
                lines.add(info.getVersion() + " " + info.getType() + " " + info.getState());
            }
            return lines;
        }

        JdbcTraceStorage storage() {
            return JdbcTraceStorage.builder(pool).tablePrefix(PREFIX).build();
        }

        /** The versions {@code migrate()} recorded in {@code <prefix>schema_history}; none without that table. */
        List<Integer> migrateHistory() {
            List<Integer> versions = new ArrayList<>();
            if (!tables().contains(PREFIX + "schema_history")) {
                return versions;
            }
            String history = setup == Setup.MARIADB ? "`" + PREFIX + "schema_history`" : "\"" + PREFIX + "schema_history\"";
            try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version FROM " + history + " ORDER BY version")) {
                while (rs.next()) {
                    versions.add(rs.getInt(1));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("reading " + history, e);
            }
            return versions;
        }

        /** The tables in this schema, by name, sorted. */
        TreeSet<String> tables() {
            TreeSet<String> tables = new TreeSet<>();
            try (Connection c = pool.getConnection()) {
                DatabaseMetaData metaData = c.getMetaData();
                try (ResultSet rs = metaData.getTables(c.getCatalog(), c.getSchema(), "%", new String[] {"TABLE"})) {
                    while (rs.next()) {
                        tables.add(rs.getString("TABLE_NAME"));
                    }
                }
            } catch (SQLException e) {
                throw new IllegalStateException("listing the tables of " + name, e);
            }
            return tables;
        }

        @Override
        public void close() {
            pool.close();
            if (setup == Setup.POSTGRESQL) {
                admin(pool, "DROP SCHEMA " + name + " CASCADE");
            } else if (setup == Setup.MARIADB) {
                admin(pool, "DROP DATABASE " + name);
            }
        }

        /** One statement on a connection of its own, outside the pool (test housekeeping). */
        private static void admin(HikariConfig config, String sql) {
            try (Connection c = DriverManager.getConnection(config.getJdbcUrl(), config.getUsername(), config.getPassword());
                    Statement s = c.createStatement()) {
                s.execute(sql);
            } catch (SQLException e) {
                throw new IllegalStateException("test housekeeping failed: " + sql, e);
            }
        }
    }
}
