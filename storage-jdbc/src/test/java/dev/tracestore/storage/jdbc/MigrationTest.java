package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tracestore.StorageException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The migration engine on every database, with a test-only version 2 whose schema change fails
 * when run twice ({@code db/tracestore-fixture-v2/<dialect>/}): migrators started together, in
 * threads and (on PostgreSQL and MariaDB) in child JVMs, apply each version exactly once; a
 * changed script is reported; a history from before checksums is brought up to date.
 */
class MigrationTest {
    private static final Map<Setup, TestDatabase> OPEN = new EnumMap<>(Setup.class);
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");

    @AfterAll
    static void close() {
        OPEN.values().forEach(TestDatabase::close);
        OPEN.clear();
    }

    private static TestDatabase database(Setup setup) {
        if (setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        return OPEN.computeIfAbsent(setup, Setup::open);
    }

    private static String fixture(TestDatabase db) {
        return "db/tracestore-fixture-v2/" + db.dialect.name();
    }

    private static JdbcTraceStorage storage(TestDatabase db, String prefix) {
        return JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).extraMigrations(List.of(fixture(db)))
                .clock(Clock.fixed(NOW, ZoneOffset.UTC)).build();
    }

    private static String fresh() {
        return "mg" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void migratorsStartedTogether_applyEachVersionOnce(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh();
        boolean children = setup == Setup.POSTGRESQL || setup == Setup.MARIADB;
        List<Process> processes = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            if (children) {
                for (int i = 0; i < 2; i++) {
                    Process p = ChildJvm.start(List.of("-Xmx128m"), MigratingProcess.class, db.pool.getJdbcUrl(),
                            db.pool.getUsername() == null ? "-" : db.pool.getUsername(),
                            db.pool.getPassword() == null ? "" : db.pool.getPassword(), prefix, fixture(db));
                    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    assertThat(out.readLine()).as("child %d started", i).isEqualTo("ready");
                    processes.add(p);
                    outputs.add(out);
                }
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> calls = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                JdbcTraceStorage storage = storage(db, prefix);
                calls.add(threads.submit(() -> {
                    start.await();
                    return storage.migrate();
                }));
            }
            for (Process p : processes) {
                p.getOutputStream().write('\n');
                p.getOutputStream().flush();
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> call : calls) {
                applied += call.get(120, TimeUnit.SECONDS);
            }
            for (int i = 0; i < processes.size(); i++) {
                String line = outputs.get(i).readLine();
                assertThat(processes.get(i).waitFor(120, TimeUnit.SECONDS)).isTrue();
                assertThat(processes.get(i).exitValue()).as("child %d's exit status (its last line: %s)", i, line).isZero();
                assertThat(line).as("child %d's report", i).startsWith("applied ");
                applied += Integer.parseInt(line.substring("applied ".length()));
            }
            assertThat(applied).as("versions applied, by all %d migrators together", 4 + processes.size()).isEqualTo(2);
        } finally {
            threads.shutdownNow();
            processes.forEach(Process::destroyForcibly);
        }
        String history = db.dialect.quote(prefix + "schema_history");
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 1")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 2")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE checksum IS NULL")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + db.dialect.quote(prefix + "traces") + " WHERE fixture_v2 IS NULL"))
                .as("the fixture's column exists").isZero();
        assertThat(storage(db, prefix).migrate()).as("a migration of an up-to-date schema").isZero();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aScriptChangedAfterItWasApplied_isReported(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh();
        assertThat(storage(db, prefix).migrate()).isEqualTo(2);
        db.execute("UPDATE " + db.dialect.quote(prefix + "schema_history") + " SET checksum = '00000000' WHERE version = 2");

        assertThatThrownBy(() -> storage(db, prefix).migrate()).isInstanceOf(StorageException.class)
                .hasMessageContaining("migration V2__add_fixture_column changed after it was applied (checksum 00000000");
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aHistoryFromBeforeChecksums_getsThem(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh();
        JdbcTraceStorage shippedOnly = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        assertThat(shippedOnly.migrate()).isEqualTo(1);
        String history = db.dialect.quote(prefix + "schema_history");
        db.execute("ALTER TABLE " + history + " DROP COLUMN checksum"); // as version 0.1 created it

        assertThat(shippedOnly.migrate()).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE checksum IS NOT NULL")).isEqualTo(1);
        assertThat(storage(db, prefix).migrate()).as("then version 2 of the fixture").isEqualTo(1);
    }
}
