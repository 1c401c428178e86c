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
import org.junit.jupiter.api.AfterEach;
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

    /** The prefixes this test class created, with the database they are in: dropped after each test. */
    private final List<Map.Entry<TestDatabase, String>> created = new ArrayList<>();

    private String fresh(TestDatabase db) {
        String prefix = "mg" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        created.add(Map.entry(db, prefix));
        return prefix;
    }

    @AfterEach
    void dropTables() {
        for (Map.Entry<TestDatabase, String> e : created) {
            for (String table : new String[] {"messages", "traces", "schema_history", "schema_lock"}) {
                e.getKey().execute("DROP TABLE IF EXISTS " + e.getKey().dialect.quote(e.getValue() + table));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void migratorsStartedTogether_applyEachVersionOnce(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        boolean children = setup == Setup.POSTGRESQL || setup == Setup.MARIADB;
        List<Process> processes = new ArrayList<>();
        List<BufferedReader> outputs = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            if (children) {
                for (int i = 0; i < 2; i++) {
                    Process p = ChildJvm.start(List.of("-Xmx128m"), MigratingProcess.class,
                            ChildJvm.poolArguments(db.pool, prefix, fixture(db)));
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

    /**
     * A child JVM killed in the middle of version 2, after its ALTER TABLE: on PostgreSQL, where
     * the version's statements and its history row are one transaction, the next migration
     * applies version 2 whole; on MariaDB, which commits the ALTER at once, it reports the
     * half-applied version, and the history never records it as applied. (The killed client's
     * server session runs its statement, the 8 s pause, to its end, holding the migration lock:
     * the next migration waits for it.)
     */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"POSTGRESQL", "MARIADB"})
    void aMigrationKilledInsideAVersion_isFinishedOrReported(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        String slow = "db/tracestore-fixture-v2-slow/" + db.dialect.name();
        String initSql = setup == Setup.POSTGRESQL ? "SET tracestore.slow = '1'" : "SET @tracestore_slow = 1";
        Process child = ChildJvm.start(List.of("-Xmx128m"), MigratingProcess.class,
                ChildJvm.poolArguments(db.pool, prefix, slow, initSql));
        String history = db.dialect.quote(prefix + "schema_history");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            child.getOutputStream().write('\n');
            child.getOutputStream().flush();
            // Wait until version 1 is recorded, then a little: the child is then in version 2's pause.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!versionRecorded(db, history, 1) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(versionRecorded(db, history, 1)).as("the child applied version 1").isTrue();
            Thread.sleep(1_000);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 2")).as("version 2 recorded").isZero();
        JdbcTraceStorage next = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).extraMigrations(List.of(slow)).build();
        if (setup == Setup.POSTGRESQL) {
            assertThat(next.migrate()).as("the next migration applies version 2 whole").isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 2")).isEqualTo(1);
        } else {
            assertThatThrownBy(next::migrate).isInstanceOf(StorageException.class)
                    .hasMessageContaining("migration V2__slow_change failed")
                    .hasMessageContaining("commits each schema change at once: if an earlier migration was interrupted"
                            + " in this version, part of it may be applied; complete or undo it by hand");
            assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 2")).isZero();
        }
    }

    private static boolean versionRecorded(TestDatabase db, String history, int version) {
        try {
            return db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = " + version) == 1;
        } catch (IllegalStateException e) {
            return false; // the history table does not exist yet
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void theHistoryRecordsTheBuildersClock(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        assertThat(storage(db, prefix).migrate()).isEqualTo(2);
        String history = db.dialect.quote(prefix + "schema_history");
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE installed_on = '" + NOW + "'"))
                .as("versions recorded at the clock's instant, " + NOW).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aScriptChangedAfterItWasApplied_isReported(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        assertThat(storage(db, prefix).migrate()).isEqualTo(2);
        db.execute("UPDATE " + db.dialect.quote(prefix + "schema_history") + " SET checksum = '00000000' WHERE version = 2");

        assertThatThrownBy(() -> storage(db, prefix).migrate()).isInstanceOf(StorageException.class)
                .hasMessageContaining("migration V2__add_fixture_column changed after it was applied (checksum 00000000");
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aHistoryFromBeforeChecksums_getsThem(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        JdbcTraceStorage shippedOnly = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        assertThat(shippedOnly.migrate()).isEqualTo(1);
        String history = db.dialect.quote(prefix + "schema_history");
        db.execute("ALTER TABLE " + history + " DROP COLUMN checksum"); // as version 0.1 created it

        assertThat(shippedOnly.migrate()).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE checksum IS NOT NULL")).isEqualTo(1);
        assertThat(storage(db, prefix).migrate()).as("then version 2 of the fixture").isEqualTo(1);
    }
}
