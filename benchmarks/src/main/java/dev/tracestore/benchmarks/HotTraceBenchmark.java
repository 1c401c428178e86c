package dev.tracestore.benchmarks;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the trace-row lock: {@value #THREADS} writer threads each upserting batches of
 * {@value #BATCH} messages, all into one trace ({@code oneTrace}: every batch waits for the
 * row lock the previous batch holds until it commits) or each into its own trace
 * ({@code ownTraces}). The {@code messages} counter reports messages/s of all threads together.
 * At the end of each trial every trace's cached count and its rows (counted with SQL) must
 * equal the messages its writers wrote, every id being new; a difference fails the run with
 * an {@link IllegalStateException}.
 *
 * <p>Run from the repository root (about 1 minute):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.HotTraceBenchmark -wi 1 -w 2s -i 3 -r 2s"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(HotTraceBenchmark.THREADS)
public class HotTraceBenchmark {
    static final int THREADS = 8;
    static final int BATCH = 100;

    @Param({"postgresql", "mariadb"})
    public String storage;

    /** Sorts last, so JMH runs the variants back to back. */
    @Param({"oneTrace", "ownTraces"})
    public String variant;

    BenchDatabase db;
    TraceStore store;
    long sharedTrace;
    /** The trial's writers, for the check at its end. */
    final Queue<Writer> writers = new ConcurrentLinkedQueue<>();

    @Setup(Level.Trial)
    public void open() {
        db = BenchDatabase.open(storage);
        store = TraceStore.builder().storage(db.storage).build();
        sharedTrace = store.upsertTrace(TraceInput.of("bench", "shared")).id();
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            verify();
        } finally {
            db.close();
        }
    }

    /** Every trace's cached count and rows equal what its writers wrote. */
    private void verify() {
        Map<Long, Long> written = new HashMap<>();
        for (Writer w : writers) {
            written.merge(w.traceId, w.written, Long::sum);
        }
        List<String> problems = new ArrayList<>();
        try (Connection c = db.pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT t.id, t.message_count, (SELECT COUNT(*) FROM "
                        + db.table("messages") + " m WHERE m.trace_id = t.id) FROM " + db.table("traces") + " t")) {
            while (rs.next()) {
                long id = rs.getLong(1);
                Long expected = written.remove(id);
                long count = rs.getLong(2);
                long rows = rs.getLong(3);
                if (expected == null ? rows != 0 || count != 0 : rows != expected || count != expected) {
                    problems.add("trace " + id + ": " + (expected == null ? 0 : expected) + " messages written, "
                            + rows + " rows, cached count " + count);
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("HotTraceBenchmark: reading the tables back failed", e);
        }
        written.forEach((id, n) -> problems.add("trace " + id + ": " + n + " messages written, the trace is missing"));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("HotTraceBenchmark " + storage + " " + variant
                    + ": the tables do not hold what the trial wrote: " + String.join("; ", problems));
        }
    }

    /** One writer thread: its trace and its id counter; messages written, per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Writer {
        private static final AtomicInteger WRITERS = new AtomicInteger();
        final int writer = WRITERS.incrementAndGet();
        long traceId;
        long seq;
        /** Messages of the batches that succeeded, this trial; volatile, as the check reads it from another thread. */
        volatile long written;
        public long messages;

        @Setup(Level.Trial)
        public void open(HotTraceBenchmark bench) {
            traceId = bench.variant.equals("oneTrace") ? bench.sharedTrace
                    : bench.store.upsertTrace(TraceInput.of("bench", "writer-" + writer)).id();
            bench.writers.add(this);
        }

        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
        }
    }

    @Benchmark
    public long ingest(Writer w) {
        List<MessageInput> batch = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long s = w.seq++;
            batch.add(MessageInput.of("w" + w.writer + "-m-" + s, s, Role.ASSISTANT, IngestBenchmark.TEXT));
        }
        w.messages += BATCH;
        int increment = store.upsertMessagesBatch(w.traceId, batch).countIncrement();
        w.written += BATCH; // what was sent, all new ids: not what the library reports
        return increment;
    }
}
