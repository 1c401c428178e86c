package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.cassandra.node.CassandraCluster;
import dev.tracestore.cassandra.node.CassandraNode;
import dev.tracestore.testkit.TraceStorageContract;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TraceStore on three real Cassandra nodes (127.0.0.1, 127.0.0.2, 127.0.0.3), keyspace with
 * replication factor 3, every statement at QUORUM: two writers keep ingesting batches into four
 * traces while node 3 is stopped gracefully and restarted, then killed (SIGKILL) and restarted.
 * Afterwards every message of every acknowledged batch reads back at QUORUM, and after one
 * {@code recalculateMessageCount} per trace each count equals the trace's real rows. A batch
 * that failed during a transition (its outcome unknown: stored, partly counted or not at all) is
 * counted, not asserted on; it is what the recount exists for.
 *
 * <p>Takes about 1.8 GB (three nodes) and 3 to 4 minutes, so it runs only in the
 * {@code cassandra-cluster} profile: {@code mvn -B verify -Pcassandra-cluster -pl storage-cassandra -am}.
 */
@Tag("cassandra-cluster")
class CassandraClusterTraceStoreTest {
    private static final Duration PHASE_TIMEOUT = Duration.ofMinutes(2);
    /** Acknowledged batches each phase must see before the test moves on. */
    private static final int BATCHES_PER_PHASE = 40;
    private static final int BATCH = 20;
    private static final int TRACES = 4;
    private static final int WRITERS = 2;

    @TempDir
    Path dir;

    @Test
    void ingestWhileNode3StopsAndRestarts_losesNothingAcknowledged_andCountsConvergeAfterARecount() throws Exception {
        long starting = System.nanoTime();
        // The commit log's sync: periodic (every 10 s, Cassandra's default and cassandra-node's) or
        // batch (each write waits for its fsync), to compare what a killed node keeps.
        String sync = System.getProperty("tracestore.cassandra.commitlogSync", "periodic");
        try (CassandraCluster cluster = CassandraCluster.builder(dir).size(3).nativePort(0).storagePort(0)
                .configure(node -> {
                    if (sync.equals("batch")) {
                        node.setting("commitlog_sync", "batch").setting("commitlog_sync_period", "0ms");
                    }
                })
                .start()) {
            log("3 nodes up in %.1f s, commitlog_sync %s", seconds(starting), sync);
            try (CqlSession session = session(cluster)) {
                session.execute("CREATE KEYSPACE tracestore WITH replication ="
                        + " {'class': 'NetworkTopologyStrategy', '" + CassandraNode.DATACENTER + "': 3}");
                CassandraTraceStorage storage = CassandraTraceStorage.builder(session).keyspace("tracestore")
                        .consistency(DefaultConsistencyLevel.QUORUM).build();
                storage.migrate();
                TraceStore store = TraceStore.builder().storage(storage).build();
                List<Long> traces = new ArrayList<>();
                for (int t = 0; t < TRACES; t++) {
                    traces.add(store.upsertTrace(TraceInput.of("cluster", "session-" + t).withAgent("claude-code")).id());
                }

                Ingest ingest = new Ingest(store, traces);
                List<Thread> threads = new ArrayList<>();
                for (int w = 0; w < WRITERS; w++) {
                    int writer = w;
                    Thread thread = new Thread(() -> ingest.run(writer), "ingest-" + w);
                    threads.add(thread);
                    thread.start();
                }
                try {
                    ingest.await("all up");
                    timed("graceful stop of node 3", () -> cluster.node(3).stop());
                    ingest.await("node 3 stopped");
                    timed("restart of node 3", () -> cluster.node(3).restart());
                    timed("node 3 seen alive by all", () -> cluster.awaitAllUp(PHASE_TIMEOUT));
                    ingest.await("node 3 back");
                    timed("kill of node 3", () -> cluster.node(3).kill());
                    ingest.await("node 3 killed");
                    timed("restart of node 3 after the kill", () -> cluster.node(3).restart());
                    timed("node 3 seen alive by all", () -> cluster.awaitAllUp(PHASE_TIMEOUT));
                    ingest.await("node 3 back again");
                } finally {
                    ingest.stop();
                    for (Thread thread : threads) {
                        thread.join();
                    }
                }
                log("acknowledged batches per phase %s; failed per phase %s; failures %s",
                        new TreeMap<>(ingest.acknowledgedPerPhase), new TreeMap<>(ingest.failedPerPhase),
                        new TreeMap<>(ingest.failureKinds));
                assertThat(ingest.unexpected.get()).as("an error outside the writes").isNull();

                for (long trace : traces) {
                    Set<String> stored = messageIds(store, trace);
                    Set<String> acknowledged = ingest.acknowledged.getOrDefault(trace, Set.of());
                    assertThat(stored).as("trace %d: messages of acknowledged batches, read at QUORUM", trace)
                            .containsAll(acknowledged);

                    long cached = store.getTrace(trace).orElseThrow().messageCount();
                    Recount recount = store.recalculateMessageCount(trace);
                    log("trace %d: %d messages acknowledged, %d stored, cached count %d (%d acknowledged but not"
                            + " counted), recount %d (drift %+d)", trace, acknowledged.size(), stored.size(), cached,
                            Math.max(0, acknowledged.size() - cached), recount.count(), recount.drift());
                    assertThat(recount.count()).as("trace %d: the recount is the rows", trace).isEqualTo(stored.size());
                    assertThat(store.getTrace(trace).orElseThrow().messageCount())
                            .as("trace %d: the count after the recount", trace).isEqualTo(stored.size());
                }
            }
            cluster.nodes().forEach(node -> log("%s: RSS %s MiB", node.address().getHostAddress(),
                    node.residentMemoryBytes().stream().mapToObj(bytes -> String.valueOf(bytes >> 20)).findFirst()
                            .orElse("unknown")));
        }
        log("whole test %.1f s", seconds(starting));
    }

    private static CqlSession session(CassandraCluster cluster) {
        return CqlSession.builder()
                .addContactPoints(cluster.contactPoints())
                .withLocalDatacenter(CassandraNode.DATACENTER)
                // Three nodes restarting on a 2-core machine: give requests more than the default 2 s.
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                        .build())
                .build();
    }

    /** Every message id of a trace, paged through the store (so at the storage's QUORUM). */
    private static Set<String> messageIds(TraceStore store, long trace) {
        Set<String> ids = new HashSet<>();
        TraceStorageContract.allMessages(store, trace).forEach(m -> ids.add(m.externalId()));
        return ids;
    }

    private static double seconds(long since) {
        return (System.nanoTime() - since) / 1e9;
    }

    private static void log(String format, Object... args) {
        System.out.println("cassandra-cluster: " + String.format(format, args));
    }

    private static void timed(String what, Runnable action) {
        long start = System.nanoTime();
        action.run();
        log("%s took %.1f s", what, seconds(start));
    }

    /**
     * Batches of {@value #BATCH} new messages, each writer taking the traces in turn, and which
     * batches were acknowledged in which phase.
     */
    private static final class Ingest {
        private final TraceStore store;
        private final List<Long> traces;
        final Map<Long, Set<String>> acknowledged = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> acknowledgedPerPhase = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> failedPerPhase = new ConcurrentHashMap<>();
        final Map<String, AtomicInteger> failureKinds = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> unexpected = new AtomicReference<>();
        private volatile String phase = "all up";
        private volatile boolean stopped;

        Ingest(TraceStore store, List<Long> traces) {
            this.store = store;
            this.traces = traces;
        }

        void run(int writer) {
            try {
                for (int n = 0; !stopped; n++) {
                    String current = phase;
                    long trace = traces.get((writer + n) % traces.size());
                    List<MessageInput> batch = new ArrayList<>(BATCH);
                    for (int i = 0; i < BATCH; i++) {
                        String id = "w" + writer + "-b" + n + "-m" + i;
                        batch.add(MessageInput.of(id, (long) n * BATCH + i, i % 2 == 0 ? Role.USER : Role.ASSISTANT,
                                "message " + id + " written while " + current));
                    }
                    try {
                        store.upsertMessagesBatch(trace, batch);
                        Set<String> ids = acknowledged.computeIfAbsent(trace, t -> ConcurrentHashMap.newKeySet());
                        batch.forEach(m -> ids.add(m.externalId()));
                        count(acknowledgedPerPhase, current);
                    } catch (RuntimeException e) {
                        count(failedPerPhase, current);
                        count(failureKinds, e.getClass().getSimpleName()
                                + (e.getCause() == null ? "" : "/" + e.getCause().getClass().getSimpleName()));
                    }
                    Thread.sleep(5);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                unexpected.set(e);
            }
        }

        /** Switches to {@code next} and waits until {@value #BATCHES_PER_PHASE} of its batches are acknowledged. */
        void await(String next) throws InterruptedException {
            phase = next;
            long deadline = System.nanoTime() + PHASE_TIMEOUT.toNanos();
            while (acknowledgedPerPhase.getOrDefault(next, new AtomicInteger()).get() < BATCHES_PER_PHASE) {
                assertThat(unexpected.get()).as("an error outside the writes").isNull();
                assertThat(System.nanoTime() - deadline)
                        .as("%d acknowledged batches in phase '%s' within %s; failed so far: %s", BATCHES_PER_PHASE,
                                next, PHASE_TIMEOUT, new TreeMap<>(failedPerPhase))
                        .isNegative();
                Thread.sleep(20);
            }
        }

        void stop() {
            stopped = true;
        }

        private static void count(Map<String, AtomicInteger> counts, String key) {
            counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
        }
    }
}
