package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceTotals;
import dev.tracestore.testkit.ContractFixture;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
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
 * The migration engine on every database, with a test-only version 4 whose schema change fails
 * when run twice ({@code db/tracestore-fixture-v4/<dialect>/}), after the shipped versions 1 to 3: migrators started together, in
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
        return "db/tracestore-fixture-v4/" + db.dialect.name();
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
            assertThat(applied).as("versions applied, by all %d migrators together", 4 + processes.size()).isEqualTo(4);
        } finally {
            threads.shutdownNow();
            processes.forEach(Process::destroyForcibly);
        }
        String history = db.dialect.quote(prefix + "schema_history");
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 1")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 2")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 3")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 4")).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE checksum IS NULL")).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + db.dialect.quote(prefix + "traces") + " WHERE fixture_v2 IS NULL"))
                .as("the fixture's column exists").isZero();
        assertThat(storage(db, prefix).migrate()).as("a migration of an up-to-date schema").isZero();
    }

    /**
     * A child JVM killed in the middle of version 4, after its ALTER TABLE: on PostgreSQL, where
     * the version's statements and its history row are one transaction, the next migration
     * applies version 4 whole; on MariaDB, which commits the ALTER at once, it reports the
     * half-applied version, and the history never records it as applied. (The killed client's
     * server session runs its statement, the 8 s pause, to its end, holding the migration lock:
     * the next migration waits for it.)
     */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"POSTGRESQL", "MARIADB"})
    void aMigrationKilledInsideAVersion_isFinishedOrReported(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        String slow = "db/tracestore-fixture-v4-slow/" + db.dialect.name();
        String initSql = setup == Setup.POSTGRESQL ? "SET tracestore.slow = '1'" : "SET @tracestore_slow = 1";
        Process child = ChildJvm.start(List.of("-Xmx128m"), MigratingProcess.class,
                ChildJvm.poolArguments(db.pool, prefix, slow, initSql));
        String history = db.dialect.quote(prefix + "schema_history");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("ready");
            child.getOutputStream().write('\n');
            child.getOutputStream().flush();
            // Wait until version 3 is recorded, then a little: the child is then in version 4's pause.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!versionRecorded(db, history, 3) && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(versionRecorded(db, history, 3)).as("the child applied versions 1 to 3").isTrue();
            Thread.sleep(1_000);
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            child.destroyForcibly();
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 4")).as("version 4 recorded").isZero();
        JdbcTraceStorage next = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).extraMigrations(List.of(slow)).build();
        if (setup == Setup.POSTGRESQL) {
            assertThat(next.migrate()).as("the next migration applies version 4 whole").isEqualTo(1);
            assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 4")).isEqualTo(1);
        } else {
            assertThatThrownBy(next::migrate).isInstanceOf(StorageException.class)
                    .hasMessageContaining("migration V4__slow_change failed")
                    .hasMessageContaining("commits each schema change at once: if an earlier migration was interrupted"
                            + " in this version, part of it may be applied; complete or undo it by hand");
            assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = 4")).isZero();
        }
    }

    private static boolean versionRecorded(TestDatabase db, String history, int version) {
        try {
            return db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE version = " + version) == 1;
        } catch (IllegalStateException e) {
            return false; // the history table does not exist yet
        }
    }

    /**
     * A database created and filled by version 1, as a user of the previous release has it, then
     * {@code migrate()}: the old trace reads with totals computed from its rows, batches keep its
     * count exact and leave its unknown totals unknown, the backfill fills them, and a trace
     * created after the upgrade counts every total from its first batch.
     */
    @ParameterizedTest
    @EnumSource(Setup.class)
    void version1Data_readsAndCountsAfterTheUpgradeToVersion2(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        Dialect dialect = db.dialect;
        assertThat(new Migrator(db.pool, dialect, prefix, Migrator.shipped(dialect), Clock.systemUTC()).migrate(1))
                .as("version 1 alone").isEqualTo(1);
        Instant created = Instant.parse("2026-10-01T08:00:00Z");
        Instant latest = Instant.parse("2026-10-01T09:30:00.000001Z");
        String traces = dialect.quote(prefix + "traces");
        String messages = dialect.quote(prefix + "messages");
        long id;
        try (Connection c = db.pool.getConnection()) {
            // The rows as version 1's adapter wrote them: a trace counted 3, three messages.
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + traces + " (namespace, external_id, visibility,"
                    + " created_at, updated_at, message_count, deleting) VALUES ('ns', 'old', 'PRIVATE', ?, ?, 3, FALSE)")) {
                dialect.setInstant(ps, 1, created);
                dialect.setInstant(ps, 2, latest);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT id FROM " + traces + " WHERE external_id = 'old'");
                    ResultSet rs = ps.executeQuery()) {
                rs.next();
                id = rs.getLong(1);
            }
            for (int i = 0; i < 3; i++) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + messages + " (trace_id, external_id, seq,"
                        + " role, body, model, created_at, parts_json) VALUES (?, ?, ?, 'USER', 'old text', NULL, ?, NULL)")) {
                    ps.setLong(1, id);
                    ps.setString(2, "old-" + i);
                    ps.setLong(3, i);
                    dialect.setInstant(ps, 4, i == 2 ? latest : created);
                    ps.executeUpdate();
                }
            }
        }

        JdbcTraceStorage storage = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        assertThat(storage.migrate()).as("versions 2 and 3 on top").isEqualTo(2);
        TraceStore store = TraceStore.builder().storage(storage).build();

        assertThat(storage.findTrace(id).orElseThrow().totals()).as("stored totals of a version 1 trace").isNull();
        TraceDetail old = store.getTrace(id).orElseThrow();
        assertThat(old.messageCount()).isEqualTo(3);
        assertThat(new TraceTotals(old.toolCallCount(), old.tokens(), old.lastMessageAt()))
                .as("computed from its rows").isEqualTo(new TraceTotals(0, TokenUsage.NONE, latest));

        store.upsertMessagesBatch(id, List.of(MessageInput.of("new-0", 3, Role.ASSISTANT, "new")
                .withUsage(TokenUsage.of(100, 50)).withToolCalls(2)));
        assertThat(store.getTrace(id).orElseThrow().messageCount()).as("counted exactly across the upgrade").isEqualTo(4);
        assertThat(storage.findTrace(id).orElseThrow().totals()).as("an increment leaves them unknown").isNull();
        TraceTotals rows = TraceTotals.of(ContractFixture.allMessages(store, id));
        assertThat(rows.tokens()).isEqualTo(TokenUsage.of(100, 50));

        assertThat(store.backfillMessageCounts(100).tracesFixed()).isEqualTo(1);
        assertThat(storage.findTrace(id).orElseThrow().totals()).as("filled by the backfill").isEqualTo(rows);

        long fresh = store.upsertTrace(TraceInput.of("ns", "new")).id();
        store.upsertMessagesBatch(fresh, List.of(MessageInput.of("a", 1, Role.ASSISTANT, "x").withToolCalls(1)
                .withUsage(TokenUsage.of(7, 8))));
        assertThat(storage.findTrace(fresh).orElseThrow().totals()).as("a trace created under version 2")
                .extracting(TraceTotals::toolCalls, TraceTotals::tokens).containsExactly(1L, TokenUsage.of(7, 8));
    }

    /**
     * A database created and filled by version 2, then {@code migrate()}: its traces read as
     * before and have no share token until one is asked for; then the token finds its trace, a
     * private trace still has none, and the key's index refuses a second trace with the same key.
     */
    @ParameterizedTest
    @EnumSource(Setup.class)
    void version2Data_getsShareTokensAfterTheUpgradeToVersion3(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        Dialect dialect = db.dialect;
        assertThat(new Migrator(db.pool, dialect, prefix, Migrator.shipped(dialect), Clock.systemUTC()).migrate(2))
                .as("versions 1 and 2 alone").isEqualTo(2);
        String traces = dialect.quote(prefix + "traces");
        Instant created = Instant.parse("2026-11-01T08:00:00Z");
        try (Connection c = db.pool.getConnection()) {
            // The rows as version 2's adapter wrote them: an unlisted trace and a private one, counted.
            for (String[] t : new String[][] {{"shared", "UNLISTED"}, {"secret", "PRIVATE"}}) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + traces + " (namespace, external_id,"
                        + " visibility, created_at, updated_at, message_count, tool_call_count, input_tokens, output_tokens,"
                        + " cache_read_tokens, cache_write_tokens, deleting) VALUES ('ns', ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, FALSE)")) {
                    ps.setString(1, t[0]);
                    ps.setString(2, t[1]);
                    dialect.setInstant(ps, 3, created);
                    dialect.setInstant(ps, 4, created);
                    ps.executeUpdate();
                }
            }
        }

        JdbcTraceStorage storage = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        assertThat(storage.migrate()).as("version 3 on top").isEqualTo(1);
        TraceStore store = TraceStore.builder().storage(storage).build();

        TraceDetail shared = store.findTrace("ns", "shared").orElseThrow();
        long secret = store.findTrace("ns", "secret").orElseThrow().id();
        assertThat(storage.findTrace(shared.id()).orElseThrow().shareToken()).as("no token before one is asked for").isNull();
        String token = store.shareToken(shared.id());
        assertThat(store.findSharedTrace(token)).contains(shared);
        assertThatThrownBy(() -> store.shareToken(secret)).isInstanceOf(IllegalStateException.class);

        String key = token.substring(0, dev.tracestore.spi.ShareToken.KEY_LENGTH);
        try (Connection c = db.pool.getConnection(); java.sql.Statement st = c.createStatement()) {
            assertThatThrownBy(() -> st.executeUpdate("UPDATE " + traces + " SET share_key = '" + key + "' WHERE id = " + secret))
                    .as("the share key's unique index").isInstanceOfSatisfying(java.sql.SQLException.class,
                            e -> assertThat(dialect.isDuplicateKey(e)).as(e.getSQLState()).isTrue());
        }
        assertThat(store.findSharedTrace(token)).map(TraceDetail::id).contains(shared.id());
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void theHistoryRecordsTheBuildersClock(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        assertThat(storage(db, prefix).migrate()).isEqualTo(4);
        String history = db.dialect.quote(prefix + "schema_history");
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE installed_on = '" + NOW + "'"))
                .as("versions recorded at the clock's instant, " + NOW).isEqualTo(4);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aScriptChangedAfterItWasApplied_isReported(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        assertThat(storage(db, prefix).migrate()).isEqualTo(4);
        db.execute("UPDATE " + db.dialect.quote(prefix + "schema_history") + " SET checksum = '00000000' WHERE version = 4");

        assertThatThrownBy(() -> storage(db, prefix).migrate()).isInstanceOf(StorageException.class)
                .hasMessageContaining("migration V4__add_fixture_column changed after it was applied (checksum 00000000");
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void aHistoryFromBeforeChecksums_getsThem(Setup setup) {
        TestDatabase db = database(setup);
        String prefix = fresh(db);
        JdbcTraceStorage shippedOnly = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        assertThat(shippedOnly.migrate()).isEqualTo(3);
        String history = db.dialect.quote(prefix + "schema_history");
        db.execute("ALTER TABLE " + history + " DROP COLUMN checksum"); // as version 0.1 created it

        assertThat(shippedOnly.migrate()).isZero();
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + history + " WHERE checksum IS NOT NULL")).isEqualTo(3);
        assertThat(storage(db, prefix).migrate()).as("then version 4 of the fixture").isEqualTo(1);
    }
}
