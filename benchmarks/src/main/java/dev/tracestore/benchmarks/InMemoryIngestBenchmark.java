package dev.tracestore.benchmarks;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Messages per second that {@code upsertMessagesBatch} ingests into the in-memory store at
 * batch size {@value #BATCH}. One operation ingests a whole session of {@value #SESSION}
 * new messages into a fresh trace, in {@value #SESSION}/{@value #BATCH} batches; JMH reports
 * messages/s directly ({@link OperationsPerInvocation}). Outside the measured time, each
 * thread deletes its previous session and builds the next session's inputs, so the live set
 * stays small and the figure is the store's work: validation, de-duplication, the single
 * count increment and the message writes, not garbage collection of an ever-growing heap.
 * {@code twoThreads} writes two sessions into two traces of one store at once.
 *
 * <p>Run from the repository root:
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="InMemoryIngestBenchmark -wi 3 -i 5"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class InMemoryIngestBenchmark {
    static final int BATCH = 1000;
    static final int SESSION = 10_000;

    final TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();

    /** One writer: its current trace and the batches of its next session. */
    @State(Scope.Thread)
    public static class Writer {
        private static final AtomicInteger SESSIONS = new AtomicInteger();
        long traceId;
        final List<List<MessageInput>> batches = new ArrayList<>();

        @Setup(Level.Invocation)
        public void nextSession(InMemoryIngestBenchmark bench) {
            if (traceId != 0) {
                bench.store.deleteTrace(traceId);
            }
            traceId = bench.store.upsertTrace(TraceInput.of("bench", "session-" + SESSIONS.incrementAndGet())).id();
            batches.clear();
            for (int from = 0; from < SESSION; from += BATCH) {
                List<MessageInput> batch = new ArrayList<>(BATCH);
                for (int i = from; i < from + BATCH; i++) {
                    batch.add(MessageInput.of("m-" + i, i, i % 2 == 0 ? Role.USER : Role.ASSISTANT, "a short message"));
                }
                batches.add(batch);
            }
        }
    }

    @Benchmark
    @Threads(1)
    @OperationsPerInvocation(SESSION)
    public long oneThread(Writer w) {
        return ingest(w);
    }

    @Benchmark
    @Threads(2)
    @OperationsPerInvocation(SESSION)
    public long twoThreads(Writer w) {
        return ingest(w);
    }

    private long ingest(Writer w) {
        long written = 0;
        for (List<MessageInput> batch : w.batches) {
            written += store.upsertMessagesBatch(w.traceId, batch).countIncrement();
        }
        return written;
    }
}
