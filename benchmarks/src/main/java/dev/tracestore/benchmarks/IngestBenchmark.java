package dev.tracestore.benchmarks;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceTotals;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.micrometer.TraceStoreMetrics;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Messages per second that one writer ingests (half of them assistant replies that report a
 * token usage and one tool call, as Claude Code replies do), TraceStore's one-write-per-batch count against
 * the alternatives, side by side on the same storage and the same tables:
 * <ul>
 * <li>{@code tracestore}: {@code TraceStore.upsertMessagesBatch}, the full API path
 *     (validation, de-duplication, one {@code message_count = message_count + ?} write and the
 *     messages' upserts in one transaction);</li>
 * <li>{@code tracestoreCursor}: {@code TraceStore.appendMessages}, the same with an ingest
 *     cursor compared and set in the same write (a rotation only: it needs the cursor the last
 *     of its batches set);</li>
 * <li>{@code tracestoreMetrics}: {@code tracestore} with {@code tracestore-micrometer}'s listener
 *     recording into a {@code SimpleMeterRegistry} (a rotation only);</li>
 * <li>{@code countOnly}: the count-only design as the adapter wrote before totals existed, by
 *     hand ({@link CountOnly}): against {@code handWritten}, what the totals cost the design;</li>
 * <li>{@code rawMultiRow}: the adapter's own multi-row upserts, chunked as the adapter chunks
 *     them (1000 rows or a million characters), in one transaction, with no count: the
 *     adapter's write minus the trace-row write, the floor;</li>
 * <li>{@code rawMultiRowReused} (a rotation only): {@code rawMultiRow} with each statement text
 *     prepared once per physical connection and reused, as a statement cache would: against
 *     {@code rawMultiRow}, the share of a batch that compiling the statement takes;</li>
 * <li>{@code rawArrays} (PostgreSQL only, in a rotation): {@code rawMultiRow} with every chunk
 *     bound as one array per column ({@code INSERT … SELECT … FROM unnest(?::text[], …)}), one
 *     statement text for every size: the form against which the adapter picks its own per size;</li>
 * <li>{@code rawSingleRowBatch}: the dialect's single-row upsert, one {@code addBatch} per
 *     message, as one JDBC batch in one transaction, with no count; what the driver makes of
 *     the batch is the driver's (PgJDBC with {@code reWriteBatchedInserts} rewrites it into
 *     multi-row inserts; H2 and SQLite run a statement per row, and so, by the figures in
 *     BENCHMARKS.md, does MariaDB's Connector/J with default settings);</li>
 * <li>{@code handWritten}: TraceStore's design written by hand in plain JDBC, statement for
 *     statement what the adapter sends: the trace-row write, then the upserts in the adapter's
 *     form for their size (on PostgreSQL arrays from {@code PostgresDialect.ARRAYS_FROM_ROWS}
 *     rows), and on
 *     PostgreSQL the write and the first chunk's guarded upsert joined by {@code ;} into one
 *     statement, as the adapter pipelines them (two round trips with the commit);</li>
 * <li>{@code perMessageCounter}: {@code rawSingleRowBatch} plus one
 *     {@code message_count = message_count + 1} per message in the same transaction, as Rails'
 *     {@code counter_cache} does. The increments go as one JDBC batch after the messages, the
 *     cheapest form of the increments (Rails sends one round trip per record); its upserts are
 *     the single-row batch, so against it compare {@code ÷ rawSingleRowBatch} too;</li>
 * <li>{@code ormCounter}: the per-message counter as Rails' {@code counter_cache} really runs
 *     it: for each message the single-row upsert, then the counter's update, each its own round
 *     trip, in one transaction (on {@code memory}, the same as {@code perMessageCounter});</li>
 * <li>{@code countOnRead}: no stored count, so its writes are {@code rawMultiRow}'s by
 *     construction (its cost is on reads, see {@link ListBenchmark}); as its own trial it
 *     measures the noise between two identical variants.</li>
 * </ul>
 * What the ratios measure, each design's median over TraceStore's: {@code ÷ rawMultiRow} the
 * design (the one trace-row write per batch; on PostgreSQL with the guard of the first upsert)
 * plus the library's code; {@code ÷ rawSingleRowBatch} that plus the difference of statement
 * shapes; {@code ÷ handWritten} the library's code only (the core's validation, sorting and
 * de-duplication, the adapter's retry loop and transaction bookkeeping, and on SQLite its
 * in-JVM write lock), since both send the same statements in the same round trips;
 * hand-written's median over raw multi-row's, from the same line, is the design's cost alone.
 * Every JDBC baseline runs its transaction as the adapter runs a write, at the dialect's write
 * isolation (on MariaDB READ COMMITTED, set and restored per transaction), so no ratio
 * includes a difference of isolation (see {@link Baselines}).
 * On {@code memory} the baselines call the in-memory storage's SPI directly: {@code rawMultiRow},
 * {@code rawSingleRowBatch} and {@code countOnRead} write the batch with an increment of 0,
 * {@code handWritten} with the batch's size, {@code perMessageCounter} writes each message with
 * an increment of 1.
 *
 * <p>On a machine whose load changes from second to second, trials run one after another
 * compare different seconds. {@code interleaved} therefore writes, in each operation, one
 * batch with each design of {@code rotation}, in a random order (seeded, so runs repeat), and
 * adds each one's time to its own counter ({@code tracestoreNanos}, …): the ratio of two
 * counters is the ratio of their time per message, measured in the same seconds. It also
 * keeps every batch's time and prints, at the end of the trial, each design's median and
 * TraceStore's speed relative to each ({@code MEDIANS} line): the figure to read, since a rare
 * stall of tens of milliseconds moves the sums by ±10 % depending on which design it lands on
 * (see {@link Samples}). The separate variants give absolute rates.
 *
 * <p><b>A/A control.</b> One design may appear twice in {@code rotation}; its second copy is
 * named {@code <design>#2}, timed on its own ({@code copyNanos}, its own medians), and every
 * line of medians ends with {@code A/A <design> ÷ <design>#2}: the same code twice in the same
 * seconds, so its distance from 1 is what a ratio of that trial can owe to noise. The default
 * rotation holds TraceStore twice.
 *
 * <p>Two more lines split that median. {@code CPU} is each design's median CPU time of the
 * writing thread ({@link ThreadMXBean#getCurrentThreadCpuTime()}, read just outside the timed
 * window, where the JVM supports it). On the in-process databases (H2, SQLite) the thread does
 * nearly all the work, so where the CPU time moves with the wall time a difference is work, not
 * waiting for a core or a lock; on PostgreSQL and MariaDB it is the client's share only.
 * {@code WARM} is each design's median over the batches that followed a batch of the same
 * design (the first of an operation when the same design ended the last one: about one in n²
 * of each design's batches with n designs in the rotation, one in 49 by default), so with the
 * processor's caches, and whatever the database keeps between statements, as that design left
 * them; printed when every design has at least 50 such batches. The main median mixes these
 * with batches that start after another design; the gap between the two is what starting after
 * other work costs each design (see BENCHMARKS.md, SQLite at batch 100).
 *
 * <p>One operation writes one batch of {@code batch} new messages; the {@code messages}
 * counter reports messages/s. The writer starts a new trace every {@value #SESSION} messages
 * (inside the measured time, the same for every variant; on {@code memory} it also deletes
 * the finished one, to keep the heap's live set small), and every trial starts on fresh
 * tables under a random prefix, dropped at its end. Before they are dropped the trial checks
 * that they hold what it wrote ({@link WrittenBatches}): every batch's rows, each design's
 * rows, and each trace's cached count equal to the messages of the designs that count (on
 * {@code memory}, the live trace's rows and count); a difference fails the run with an
 * {@link IllegalStateException}.
 *
 * <p>Run from the repository root. The ratios, interleaved (about 5 minutes at two batch sizes; narrow with
 * {@code -p storage=postgresql}):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.IngestBenchmark -wi 1 -w 2s -i 5 -r 4s -p variant=interleaved -p batch=100,1000 -rf json -rff ingest.json"</pre>
 * Every variant as its own trial, for absolute rates on a quiet machine (about 35 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.IngestBenchmark -wi 1 -w 1s -i 3 -r 1s -rf json -rff ingest.json"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(1)
public class IngestBenchmark {
    static final int SESSION = 10_000;
    static final String TEXT = "Let me look at the failing test first: the date parser assumes the JVM's default time"
            + " zone, so the assertion on midnight UTC fails on machines east of Greenwich. I will inject a clock.";
    /**
     * The designs a rotation can hold; {@code countOnRead} writes as {@code rawMultiRow} and runs
     * only as its own trial; {@code rawArrays} runs on PostgreSQL only, in a rotation.
     */
    static final List<String> DESIGNS = List.of("tracestore", "tracestoreCursor", "tracestoreMetrics", "rawMultiRow", "rawMultiRowReused", "rawArrays",
            "rawSingleRowBatch", "handWritten", "countOnly", "perMessageCounter", "ormCounter");
    /** What an assistant message of the benchmark reports: a reply's usage as Claude Code records it, one tool call. */
    static final TokenUsage REPLY_USAGE = TokenUsage.of(3, 120).withCache(19_000, 400);

    @Param({"memory", "h2", "sqlite", "postgresql", "mariadb"})
    public String storage;

    @Param({"1", "10", "100", "1000"})
    public int batch;

    /** Named so that it sorts last: JMH varies the alphabetically last parameter fastest, so the variants run back to back. */
    @Param({"tracestore", "rawMultiRow", "rawSingleRowBatch", "handWritten", "perMessageCounter", "ormCounter",
            "countOnRead", "interleaved"})
    public String variant;

    /**
     * The designs {@code interleaved} alternates, joined by {@code +} (JMH separates values by
     * commas): by default all six, TraceStore twice for the A/A ratio. One design may appear
     * twice; fewer designs show whether one design's presence in the rotation changes another's time.
     */
    @Param({"tracestore+tracestore+rawMultiRow+rawSingleRowBatch+handWritten+perMessageCounter+ormCounter"})
    public String rotation;

    BenchDatabase db;
    Baselines baselines;
    TraceStorage spi;
    TraceStore store;
    /** The same storage behind a store whose listener records Micrometer metrics ({@code tracestoreMetrics}). */
    TraceStore metered;
    /** What the trial wrote, checked against the tables at its end. */
    WrittenBatches written;

    long traceId;
    /** The ingest cursor {@code tracestoreCursor} set last on the current trace. */
    String cursor;
    long sessions;
    long seq;
    long inTrace;
    /** The designs {@code interleaved} alternates, a second copy named {@code <design>#2}, in a new random order at each operation. */
    final List<String> order = new ArrayList<>();
    final Random random = new Random(42);
    /** Each design's batch times under {@code interleaved}, measurement iterations only. */
    final Samples samples = new Samples();
    /** The writing thread's CPU time per batch, by design. */
    final Samples cpu = new Samples();
    /** The batch times of each design that followed a batch of the same design. */
    final Samples warm = new Samples();
    final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    /** Whether this JVM measures the current thread's CPU time (it throws where it does not). */
    final boolean cpuTimed = threads.isCurrentThreadCpuTimeSupported() && threads.isThreadCpuTimeEnabled();
    /** The design that wrote the last batch under {@code interleaved}. */
    String previous;
    boolean measuring;

    /** Messages written, reported per second next to the batches per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long messages;
        /** Time spent in each design under {@code interleaved}; their ratios are ratios of time per message. */
        public long tracestoreNanos;
        public long rawMultiRowNanos;
        public long tracestoreCursorNanos;
        public long tracestoreMetricsNanos;
        public long rawMultiRowReusedNanos;
        public long countOnlyNanos;
        public long rawArraysNanos;
        public long rawSingleRowBatchNanos;
        public long handWrittenNanos;
        public long perMessageCounterNanos;
        public long ormCounterNanos;
        /** Time spent in the second copy of the design that appears twice in the rotation (the A/A control). */
        public long copyNanos;

        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
            tracestoreNanos = 0;
            rawMultiRowNanos = 0;
            tracestoreCursorNanos = 0;
            tracestoreMetricsNanos = 0;
            rawMultiRowReusedNanos = 0;
            countOnlyNanos = 0;
            rawArraysNanos = 0;
            rawSingleRowBatchNanos = 0;
            handWrittenNanos = 0;
            perMessageCounterNanos = 0;
            ormCounterNanos = 0;
            copyNanos = 0;
        }

        void add(String design, long nanos) {
            switch (design) {
                case "tracestore" -> tracestoreNanos += nanos;
                case "rawMultiRow" -> rawMultiRowNanos += nanos;
                case "tracestoreCursor" -> tracestoreCursorNanos += nanos;
                case "tracestoreMetrics" -> tracestoreMetricsNanos += nanos;
                case "rawMultiRowReused" -> rawMultiRowReusedNanos += nanos;
                case "countOnly" -> countOnlyNanos += nanos;
                case "rawArrays" -> rawArraysNanos += nanos;
                case "rawSingleRowBatch" -> rawSingleRowBatchNanos += nanos;
                case "handWritten" -> handWrittenNanos += nanos;
                case "perMessageCounter" -> perMessageCounterNanos += nanos;
                case "ormCounter" -> ormCounterNanos += nanos;
                default -> copyNanos += nanos;
            }
        }
    }

    @Setup(Level.Trial)
    public void open() {
        for (String design : rotation.split("\\+")) {
            if (!DESIGNS.contains(design)) {
                throw new IllegalArgumentException("rotation: unknown design '" + design + "'; known: "
                        + String.join(", ", DESIGNS));
            }
            if (design.equals("rawArrays") && !storage.equals("postgresql")) {
                throw new IllegalArgumentException("rotation: rawArrays binds PostgreSQL arrays; storage is " + storage);
            }
            if (!order.contains(design)) {
                order.add(design);
            } else if (order.stream().noneMatch(d -> Samples.original(d) != null)) {
                order.add(design + "#2");
            } else {
                throw new IllegalArgumentException("rotation: only one design may appear twice, and at most twice; got "
                        + rotation);
            }
        }
        if (storage.equals("memory")) {
            spi = InMemoryTraceStorage.create();
        } else {
            db = BenchDatabase.open(storage);
            spi = db.storage;
            baselines = new Baselines(db);
        }
        store = TraceStore.builder().storage(spi).build();
        metered = TraceStore.builder().storage(spi)
                .listener(TraceStoreMetrics.of(new SimpleMeterRegistry(), Tags.of("storage", storage))).build();
        written = new WrittenBatches("IngestBenchmark " + storage + " batch=" + batch + " " + variant, batch);
        newTrace();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() {
        try {
            if (!samples.isEmpty()) {
                String label = storage + " batch=" + batch;
                System.out.println(samples.report(label, "tracestore"));
                if (cpuTimed) {
                    System.out.println(cpu.report("CPU", label, "tracestore"));
                }
                if (warm.hasEvery(order, 50)) {
                    System.out.println(warm.report("WARM", label, "tracestore"));
                }
                if (storage.equals("sqlite")) {
                    System.out.println(walPerBatch(Math.max(20, 20_000 / batch)));
                }
            }
            if (db == null) {
                written.verify(spi, traceId);
            } else {
                written.verify(db);
            }
        } finally {
            store.close();
            if (db != null) {
                db.close();
            }
        }
    }

    private void newTrace() {
        if (db == null && traceId != 0) {
            // The in-memory store keeps everything on the heap: drop the finished session, or
            // collecting an ever larger live set dominates (see InMemoryIngestBenchmark).
            store.deleteTrace(traceId);
        }
        traceId = store.upsertTrace(TraceInput.of("bench", "session-" + ++sessions).withAgent("claude-code")).id();
        cursor = null;
        written.trace(traceId);
        inTrace = 0;
    }

    @Benchmark
    public int ingest(Counters counters) throws SQLException {
        if (!variant.equals("interleaved")) {
            counters.messages += batch;
            return writeAndRecord(variant, nextBatch());
        }
        int total = 0;
        // A fresh random order each time: with a fixed cycle, one design would always follow the
        // same other one and inherit its after-effects (on PostgreSQL, the dead row versions that
        // a per-message counter leaves on the trace row, which the next writer of the row prunes).
        Collections.shuffle(order, random);
        for (String each : order) {
            List<MessageInput> inputs = nextBatch();
            long cpuStart = cpuTimed ? threads.getCurrentThreadCpuTime() : 0;
            long start = System.nanoTime();
            total += write(each, inputs);
            long nanos = System.nanoTime() - start;
            long cpuNanos = cpuTimed ? threads.getCurrentThreadCpuTime() - cpuStart : 0;
            record(each, inputs);
            if (measuring) {
                samples.add(each, nanos);
                if (cpuTimed) {
                    cpu.add(each, cpuNanos);
                }
                if (each.equals(previous)) {
                    warm.add(each, nanos);
                }
            }
            previous = each;
            counters.add(each, nanos);
        }
        counters.messages += total;
        return total;
    }

    /**
     * What each design appends to SQLite's write-ahead log per batch, outside the measured
     * time: with automatic checkpoints off on every pooled connection, the log is emptied, the
     * design writes {@code batches} batches, and the log's growth is divided among them. SQLite
     * logs whole pages, so this shows what the trace-row write adds: its page and the pages of
     * the listing index on {@code updated_at}.
     */
    private String walPerBatch(int batches) {
        StringBuilder line = new StringBuilder("WAL sqlite batch=" + batch + ":");
        try {
            List<Connection> all = new ArrayList<>();
            String file;
            int pageSize;
            try {
                for (int i = 0; i < db.pool.getMaximumPoolSize(); i++) {
                    Connection c = db.pool.getConnection();
                    all.add(c);
                    try (Statement s = c.createStatement()) {
                        s.execute("PRAGMA wal_autocheckpoint = 0");
                    }
                }
                try (Statement s = all.get(0).createStatement()) {
                    file = single(s, "PRAGMA database_list", 3);
                    pageSize = Integer.parseInt(single(s, "PRAGMA page_size", 1));
                }
            } finally {
                for (Connection c : all) {
                    c.close();
                }
            }
            Path wal = Path.of(file + "-wal");
            for (String design : List.of("rawSingleRowBatch", "rawMultiRow", "handWritten", "tracestore", "perMessageCounter")) {
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                long before = Files.size(wal);
                for (int i = 0; i < batches; i++) {
                    writeAndRecord(design, nextBatch());
                }
                double frames = (Files.size(wal) - before) / (double) (pageSize + 24) / batches;
                line.append(String.format(Locale.ROOT, " %s %.1f pages;", design, frames));
            }
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("measuring the WAL failed", e);
        }
        return line.append(" (").append(batches).append(" batches each, ").append("pages of the log per batch)").toString();
    }

    private static String single(Statement s, String sql, int column) throws SQLException {
        try (ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(column);
        }
    }

    private List<MessageInput> nextBatch() {
        if (inTrace >= SESSION) {
            newTrace();
        }
        List<MessageInput> inputs = new ArrayList<>(batch);
        for (int i = 0; i < batch; i++) {
            long s = seq++;
            MessageInput m = MessageInput.of("m-" + s, s, (s & 1) == 0 ? Role.USER : Role.ASSISTANT, TEXT);
            inputs.add(m.role() == Role.ASSISTANT ? m.withUsage(REPLY_USAGE).withToolCalls(1) : m);
        }
        inTrace += batch;
        return inputs;
    }

    private int writeAndRecord(String name, List<MessageInput> inputs) throws SQLException {
        int size = write(name, inputs);
        record(name, inputs);
        return size;
    }

    /** Records a written batch for the check at the end of the trial, outside the timed window. */
    private void record(String name, List<MessageInput> inputs) {
        String design = Samples.original(name) == null ? name : Samples.original(name);
        written.add(name, traceId, inputs.get(0).sequence(), inputs.size(), counts(design));
    }

    /** Writes one batch with the design {@code name} names ({@code <design>#2}: that design); returns the batch's size. */
    private int write(String name, List<MessageInput> inputs) throws SQLException {
        String design = Samples.original(name) == null ? name : Samples.original(name);
        switch (design) {
            case "tracestore" -> store.upsertMessagesBatch(traceId, inputs);
            case "tracestoreMetrics" -> metered.upsertMessagesBatch(traceId, inputs);
            case "tracestoreCursor" -> {
                String next = "offset " + inputs.get(inputs.size() - 1).sequence();
                store.appendMessages(traceId, inputs, cursor, next);
                cursor = next;
            }
            case "countOnly" -> {
                if (db == null) {
                    Instant now = Instant.now();
                    List<Message> messages = messages(inputs, now);
                    spi.writeMessages(traceId, messages, messages.size(), TraceTotals.NONE, null, now);
                } else {
                    baselines.countOnly(traceId, inputs);
                }
            }
            case "rawMultiRow", "countOnRead" -> {
                if (db == null) {
                    memory(inputs, false);
                } else {
                    baselines.rawMultiRow(traceId, inputs);
                }
            }
            case "rawArrays" -> baselines.rawArrays(traceId, inputs);
            case "rawMultiRowReused" -> baselines.rawMultiRowReused(traceId, inputs);
            case "rawSingleRowBatch" -> {
                if (db == null) {
                    memory(inputs, false);
                } else {
                    baselines.rawSingleRowBatch(traceId, inputs);
                }
            }
            case "perMessageCounter", "ormCounter" -> {
                if (db == null) {
                    memory(inputs, true);
                } else if (design.equals("ormCounter")) {
                    baselines.ormCounter(traceId, inputs);
                } else {
                    baselines.perMessageCounter(traceId, inputs);
                }
            }
            case "handWritten" -> {
                if (db == null) {
                    Instant now = Instant.now();
                    List<Message> messages = messages(inputs, now);
                    spi.writeMessages(traceId, messages, messages.size(), TraceTotals.of(messages), null, now);
                } else {
                    baselines.handWritten(traceId, inputs);
                }
            }
            default -> throw new IllegalArgumentException("variant: unknown " + design);
        }
        return inputs.size();
    }

    /** Whether {@code design} adds its batches to the trace's cached count. */
    private static boolean counts(String design) {
        return !design.startsWith("raw") && !design.equals("countOnRead");
    }

    private static List<Message> messages(List<MessageInput> inputs, Instant now) {
        List<Message> messages = new ArrayList<>(inputs.size());
        for (MessageInput in : inputs) {
            messages.add(new Message(in.externalId(), in.sequence(), in.role(), in.text(), null, now, null, in.usage(),
                    in.toolCalls()));
        }
        return messages;
    }

    private void memory(List<MessageInput> inputs, boolean perMessage) {
        Instant now = Instant.now();
        List<Message> messages = messages(inputs, now);
        if (perMessage) {
            for (Message m : messages) {
                spi.writeMessages(traceId, List.of(m), 1, TraceTotals.of(List.of(m)), null, now);
            }
        } else {
            spi.writeMessages(traceId, messages, 0, TraceTotals.NONE, null, now);
        }
    }
}
