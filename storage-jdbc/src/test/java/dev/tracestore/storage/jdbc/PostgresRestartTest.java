package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Stops the machine's local PostgreSQL for a few seconds, and starts it again, while 4 writer
 * threads ingest through a HikariCP pool: during the outage every call fails fast with a
 * {@link StorageException} naming the operation; afterwards ingestion resumes by itself; every
 * batch that returned success is stored, and nothing else but batches whose call failed.
 *
 * <p>Restarts the shared server, so it runs only in the {@code reliability} profile
 * ({@code mvn verify -Preliability}), and only against a server on this machine managed by
 * {@code pg_ctlcluster}; it starts the server again whatever happens.
 */
@Tag("reliability")
class PostgresRestartTest {
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(2);
    /** What a failing call may take at most: the pool's connection timeout, plus slack for a busy machine. */
    private static final Duration FAIL_FAST = Duration.ofSeconds(10);

    @Test
    void restart_failsCallsFast_thenIngestionResumes_andNoSuccessfulBatchIsLost() throws Exception {
        HikariConfig config = Setup.POSTGRESQL.config("restart");
        String[] versions = new File("/etc/postgresql").list();
        String missing = !config.getJdbcUrl().matches("jdbc:postgresql://(127\\.0\\.0\\.1|localhost)(:5432)?/.*")
                ? "a server on this machine (the URL is " + config.getJdbcUrl() + "), since it restarts it"
                : versions == null || versions.length != 1 ? "one pg_ctlcluster-managed server under /etc/postgresql"
                : null;
        if (missing != null) {
            if (Setup.CI) {
                fail("CI=true makes this test mandatory, and it needs " + missing);
            }
            abort("PostgresRestartTest skipped: it needs " + missing);
        }
        String version = versions[0];

        config.setPoolName("restart");
        config.setMaximumPoolSize(6);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        config.addDataSourceProperty("connectTimeout", "2");
        config.addDataSourceProperty("socketTimeout", "10");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            TestDatabase db = new TestDatabase(Setup.POSTGRESQL, pool, "restart" + System.nanoTime() % 100_000 + "_");
            try {
                run(db, version);
            } finally {
                pgCtl(version, "start"); // idempotent: a running server stays up
                awaitReady(pool);
                db.close();
            }
        }
    }

    private void run(TestDatabase db, String version) throws Exception {
        TraceStore store = TraceStore.builder().storage(db.storage(InterceptingDataSource.over(() -> { }))).build();
        int writers = 4;
        long[] traces = new long[writers];
        for (int t = 0; t < writers; t++) {
            traces[t] = store.upsertTrace(TraceInput.of("restart", "writer-" + t)).id();
        }
        Set<String> succeeded = ConcurrentHashMap.newKeySet();
        Set<String> failed = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<String> slowFailures = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> failureMessages = new ConcurrentLinkedQueue<>();
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicLong successesAfterRestart = new AtomicLong();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < writers; t++) {
            int writer = t;
            Thread thread = new Thread(() -> {
                for (int n = 0; !stop.get(); n++) {
                    List<MessageInput> batch = new ArrayList<>();
                    for (int i = 0; i < 20; i++) {
                        batch.add(MessageInput.of("b" + n + "-" + i, n * 20L + i, Role.USER, "writer " + writer));
                    }
                    long start = System.nanoTime();
                    try {
                        store.upsertMessagesBatch(traces[writer], batch);
                        batch.forEach(m -> succeeded.add(writer + "/" + m.externalId()));
                        if (start > restartedAt.get()) {
                            successesAfterRestart.incrementAndGet();
                        }
                    } catch (StorageException e) {
                        batch.forEach(m -> failed.add(writer + "/" + m.externalId()));
                        failureMessages.add(e.getMessage());
                        long took = System.nanoTime() - start;
                        if (took > FAIL_FAST.toNanos()) {
                            slowFailures.add(e.getMessage() + " after " + took / 1_000_000 + " ms");
                        }
                        sleep(100);
                    } catch (Throwable e) {
                        unexpected.add(e);
                    }
                    sleep(10);
                }
            }, "writer-" + t);
            threads.add(thread);
            thread.start();
        }
        try {
            Thread.sleep(1500);
            pgCtl(version, "stop");
            Thread.sleep(4000); // the outage
            pgCtl(version, "start");
            restartedAt.set(System.nanoTime());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (successesAfterRestart.get() < 4 * writers && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            stop.set(true);
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(60));
            }
        }

        assertThat(unexpected).as("exceptions other than StorageException").isEmpty();
        assertThat(failed).as("batches that failed during the outage").isNotEmpty();
        // Either the server's error, with its SQLState, or the pool's timeout while it is down, said as such.
        assertThat(failureMessages).as("failures name the storage, the operation and the cause")
                .allSatisfy(m -> assertThat(m).startsWith("JDBC storage (postgresql): writing messages to trace ")
                        .containsAnyOf("failed (SQLState ", "failed: no connection from the data source ("));
        assertThat(slowFailures).as("calls that failed slower than %s", FAIL_FAST).isEmpty();
        assertThat(successesAfterRestart.get()).as("batches that succeeded after the restart, by themselves")
                .isGreaterThanOrEqualTo(4L * writers);
        for (int t = 0; t < writers; t++) {
            Set<String> stored = new HashSet<>();
            String cursor = null;
            do {
                var page = store.listMessages(traces[t], cursor, 1000);
                for (var m : page.items()) {
                    stored.add(t + "/" + m.externalId());
                }
                cursor = page.nextCursor();
            } while (cursor != null);
            int writer = t;
            Set<String> mine = new HashSet<>();
            succeeded.stream().filter(id -> id.startsWith(writer + "/")).forEach(mine::add);
            assertThat(stored).as("writer %d: every batch that returned success is stored", t).containsAll(mine);
            Set<String> extra = new HashSet<>(stored);
            extra.removeAll(mine);
            assertThat(failed).as("writer %d: anything else stored was reported failed", t).containsAll(extra);
            long cached = store.getTrace(traces[t]).orElseThrow().messageCount();
            assertThat(store.recalculateMessageCount(traces[t]).count()).as("writer %d: recount", t)
                    .isEqualTo(stored.size()).isEqualTo(cached);
        }
    }

    private static void pgCtl(String version, String action) throws Exception {
        Process p = new ProcessBuilder("pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("pg_ctlcluster " + action + " did not finish in 60 s");
        }
        // "start" on a running server exits 2; every other failure shows in the assertions that follow.
    }

    private static void awaitReady(HikariDataSource pool) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try (var c = pool.getConnection()) {
                if (c.isValid(2)) {
                    return;
                }
            } catch (Exception e) {
                Thread.sleep(200);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
