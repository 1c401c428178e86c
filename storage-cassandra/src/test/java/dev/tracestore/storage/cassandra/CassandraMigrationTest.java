package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.Visibility;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceTotals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shared migration engine on a Cassandra node, with a test-only version 4 whose
 * {@code ALTER TABLE} fails when run twice ({@code db/tracestore-fixture-v4/cassandra/}).
 */
class CassandraMigrationTest {
    private static final String KEYSPACE = "tracestore_v3";
    private static final Duration WAIT = Duration.ofMinutes(1);
    private static final Instant NOW = Instant.parse("2026-12-02T12:00:00Z");
    private CqlSession session;

    @BeforeEach
    void createKeyspace() {
        session = TestCassandra.session();
        dropKeyspace();
        session.execute(SimpleStatement.newInstance("CREATE KEYSPACE " + KEYSPACE
                + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(WAIT));
    }

    @AfterEach
    void dropKeyspace() {
        session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + KEYSPACE).setTimeout(WAIT));
    }

    private static CassandraTraceStorage storage(CqlSession session) {
        return CassandraTraceStorage.builder(session).keyspace(KEYSPACE).clock(Clock.fixed(NOW, ZoneOffset.UTC))
                .extraMigrations("db/tracestore-fixture-v4/cassandra").build();
    }

    @Test
    void fourMigratorsStartedTogether_applyEachVersionOnce() throws Exception {
        List<CqlSession> sessions = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                CqlSession own = TestCassandra.connect(); // as four processes would, each its own session
                sessions.add(own);
                calls.add(threads.submit(() -> {
                    start.await();
                    return storage(own).migrate();
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> call : calls) {
                applied += call.get(3, TimeUnit.MINUTES);
            }
            assertThat(applied).as("versions applied by the four together").isEqualTo(4);
        } finally {
            threads.shutdownNow();
            sessions.forEach(CqlSession::close);
        }
        List<Integer> versions = new ArrayList<>();
        session.execute("SELECT version, checksum, installed_on FROM " + KEYSPACE + ".schema_history").forEach(r -> {
            versions.add(r.getInt(0));
            assertThat(r.getString(1)).as("checksum of version %d", r.getInt(0)).isNotNull();
            assertThat(r.getString(2)).as("instant of version %d: the builder's clock", r.getInt(0)).isEqualTo(NOW.toString());
        });
        assertThat(versions).containsExactlyInAnyOrder(1, 2, 3, 4);
        assertThat(session.execute("SELECT fixture_v3 FROM " + KEYSPACE + ".traces LIMIT 1").getColumnDefinitions()
                .contains("fixture_v3")).isTrue();
        assertThat(storage(session).migrate()).isZero();
    }

    /**
     * A keyspace created and filled by version 1, as a user of the previous release has it (its
     * rows written here as version 1's adapter wrote them), then {@code migrate()}: the old trace
     * reads with totals computed from its rows and its count as stored, the backfill fills the
     * totals, and a batch after the upgrade counts exactly; and, by version 3, the same trace, made
     * unlisted, gets a share token that finds it until it is revoked.
     */
    @Test
    void version1Data_readsAndCountsAfterTheUpgrades() {
        Migrator v1 = new Migrator(session, KEYSPACE, DefaultConsistencyLevel.LOCAL_QUORUM,
                DefaultConsistencyLevel.LOCAL_SERIAL, List.of(Migrator.SHIPPED), Clock.systemUTC());
        assertThat(v1.migrate(1)).as("version 1 alone").isEqualTo(1);
        long id = 900_000_001L; // above any id block the storage hands out in this test
        long created = Micros.of(Instant.parse("2026-10-01T08:00:00Z"));
        long latest = Micros.of(Instant.parse("2026-10-01T09:30:00.000001Z"));
        String ks = KEYSPACE + ".";
        session.execute("INSERT INTO " + ks + "traces (id, updated_at, namespace, external_id,"
                + " visibility, created_at) VALUES (?, ?, 'ns', 'old', 'PRIVATE', ?)", id, latest, created);
        session.execute("INSERT INTO " + ks + "trace_keys (namespace, external_id, id) VALUES ('ns', 'old', ?)", id);
        session.execute("INSERT INTO " + ks + "trace_ids (namespace, id) VALUES ('ns', ?)", id);
        session.execute("INSERT INTO " + ks + "traces_by_namespace (namespace, updated_at, id) VALUES ('ns', ?, ?)",
                latest, id);
        for (int i = 0; i < 3; i++) {
            session.execute("INSERT INTO " + ks + "message_keys (trace_id, external_id, seq) VALUES (?, ?, ?)",
                    id, "old-" + i, (long) i);
            session.execute("INSERT INTO " + ks + "messages (trace_id, seq, external_id, role, body, extras, created_at)"
                    + " VALUES (?, ?, ?, 'USER', 'old text', (null, null), ?)", id, (long) i, "old-" + i,
                    i == 2 ? latest : created);
        }
        session.execute("UPDATE " + ks + "trace_counts SET message_count = message_count + 3 WHERE trace_id = ?", id);

        CassandraTraceStorage storage = CassandraTraceStorage.builder(session).keyspace(KEYSPACE).build();
        assertThat(storage.migrate()).as("versions 2 and 3 on top").isEqualTo(2);
        TraceStore store = TraceStore.builder().storage(storage).build();

        assertThat(storage.findTrace(id).orElseThrow().totals()).as("stored totals of a version 1 trace").isNull();
        TraceDetail old = store.getTrace(id).orElseThrow();
        assertThat(old.messageCount()).isEqualTo(3);
        assertThat(new TraceTotals(old.toolCallCount(), old.tokens(), old.lastMessageAt()))
                .as("computed from its rows").isEqualTo(new TraceTotals(0, TokenUsage.NONE, Micros.toInstant(latest)));

        store.upsertMessagesBatch(id, List.of(MessageInput.of("new-0", 3, Role.ASSISTANT, "new")
                .withUsage(TokenUsage.of(100, 50)).withToolCalls(2)));
        assertThat(store.getTrace(id).orElseThrow().messageCount()).as("counted exactly across the upgrade").isEqualTo(4);
        assertThat(store.backfillMessageCounts(100).tracesFixed()).isEqualTo(1);
        assertThat(storage.findTrace(id).orElseThrow().totals()).as("filled by the backfill")
                .isEqualTo(new TraceTotals(2, TokenUsage.of(100, 50), store.getTrace(id).orElseThrow().lastMessageAt()));
        assertThat(store.getTrace(id).orElseThrow().tokens()).isEqualTo(TokenUsage.of(100, 50));

        // Version 3 on the trace that version 1 wrote: no share token until one is asked for.
        assertThat(storage.findTrace(id).orElseThrow().shareToken()).isNull();
        assertThatThrownBy(() -> store.shareToken(id)).as("still private").isInstanceOf(IllegalStateException.class);
        store.upsertTrace(TraceInput.of("ns", "old").withVisibility(Visibility.UNLISTED));
        String token = store.shareToken(id);
        assertThat(store.findSharedTrace(token)).map(TraceDetail::messageCount).contains(4L);
        store.revokeShareToken(id);
        assertThat(store.findSharedTrace(token)).isEmpty();
    }

    @Test
    void aScriptChangedAfterItWasApplied_isReported() {
        assertThat(storage(session).migrate()).isEqualTo(4);
        session.execute("UPDATE " + KEYSPACE + ".schema_history SET checksum = '00000000' WHERE version = 4");

        assertThatThrownBy(() -> storage(session).migrate()).isInstanceOf(StorageException.class)
                .hasMessageContaining("migration V4__add_fixture_column changed after it was applied (checksum 00000000");
    }
}
