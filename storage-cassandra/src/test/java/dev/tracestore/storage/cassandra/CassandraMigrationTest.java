package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.tracestore.StorageException;
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
 * The shared migration engine on a Cassandra node, with a test-only version 2 whose
 * {@code ALTER TABLE} fails when run twice ({@code db/tracestore-fixture-v2/cassandra/}).
 */
class CassandraMigrationTest {
    private static final String KEYSPACE = "tracestore_v2";
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
                .extraMigrations("db/tracestore-fixture-v2/cassandra").build();
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
            assertThat(applied).as("versions applied by the four together").isEqualTo(2);
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
        assertThat(versions).containsExactlyInAnyOrder(1, 2);
        assertThat(session.execute("SELECT fixture_v2 FROM " + KEYSPACE + ".traces LIMIT 1").getColumnDefinitions()
                .contains("fixture_v2")).isTrue();
        assertThat(storage(session).migrate()).isZero();
    }

    @Test
    void aScriptChangedAfterItWasApplied_isReported() {
        assertThat(storage(session).migrate()).isEqualTo(2);
        session.execute("UPDATE " + KEYSPACE + ".schema_history SET checksum = '00000000' WHERE version = 2");

        assertThatThrownBy(() -> storage(session).migrate()).isInstanceOf(StorageException.class)
                .hasMessageContaining("migration V2__add_fixture_column changed after it was applied (checksum 00000000");
    }
}
