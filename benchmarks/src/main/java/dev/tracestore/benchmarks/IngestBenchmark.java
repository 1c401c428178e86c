package dev.tracestore.benchmarks;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
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
 * Messages per second that one writer ingests, TraceStore's one-write-per-batch count against
 * the alternatives, side by side on the same storage and the same tables:
 * <ul>
 * <li>{@code tracestore}: {@code TraceStore.upsertMessagesBatch}, the full API path
 *     (validation, de-duplication, one {@code message_count = message_count + ?} write and the
 *     messages' upserts in one transaction);</li>
 * <li>{@code raw}: the same messages and the same upsert statement (the dialect's own), sent
 *     as one plain JDBC batch in one transaction, with no count at all: the floor;</li>
 * <li>{@code perMessageCounter}: {@code raw} plus one {@code message_count = message_count + 1}
 *     per message in the same transaction, as Rails' {@code counter_cache} does. The increments
 *     go as one JDBC batch after the messages, the cheapest honest form (Rails sends one round
 *     trip per record), so TraceStore's lead over it is if anything understated;</li>
 * <li>{@code ormCounter}: the per-message counter as Rails' {@code counter_cache} really runs
 *     it: for each message the insert, then the counter's update, each its own round trip, in
 *     one transaction (on {@code memory}, the same as {@code perMessageCounter});</li>
 * <li>{@code handWritten}: TraceStore's design written by hand in plain JDBC (the adapter's
 *     trace-row write, then {@code raw}'s batch): the distance between it and {@code tracestore}
 *     is the library's overhead, the distance between it and {@code raw} the design's;</li>
 * <li>{@code countOnRead}: no stored count, so its writes are {@code raw}'s by construction
 *     (its cost is on reads, see {@link ListBenchmark}); running it anyway measures the noise
 *     between two identical variants in the same run.</li>
 * </ul>
 * On {@code memory} the baselines call the in-memory storage's SPI directly: {@code raw} and
 * {@code countOnRead} write the batch with an increment of 0, {@code handWritten} with the
 * batch's size, {@code perMessageCounter} writes each message with an increment of 1.
 *
 * <p>On a machine whose load changes from second to second, trials run one after another
 * compare different seconds. {@code interleaved} therefore writes, in each operation, one
 * batch with each of {@code tracestore}, {@code raw}, {@code handWritten},
 * {@code perMessageCounter} and {@code ormCounter}, in a random order (seeded, so
 * runs repeat), and adds each one's time to its own
 * counter ({@code tracestoreNanos}, …): the ratio of two counters is the ratio of their time
 * per message, measured in the same seconds. It also keeps every batch's time and prints, at
 * the end of the trial, each design's median and TraceStore's speed relative to each
 * ({@code MEDIANS} line): the figure to read, since a rare stall of tens of milliseconds
 * moves the sums by ±10 % depending on which design it lands on (see {@link Samples}). The
 * separate variants give absolute rates.
 *
 * <p>Two more lines split that median. {@code CPU} is each design's median CPU time of the
 * writing thread ({@link ThreadMXBean#getCurrentThreadCpuTime()}, read just outside the timed
 * window, where the JVM supports it). On the in-process databases (H2, SQLite) the thread does
 * nearly all the work, so where the CPU time moves with the wall time a difference is work, not
 * waiting for a core or a lock; on PostgreSQL and MariaDB it is the client's share only.
 * {@code WARM} is each design's median over the batches that followed a batch of the same
 * design (the first of an operation when the same design ended the last one: about one in 25
 * of each design's batches with five designs), so with the processor's caches, and whatever the
 * database keeps between statements, as that design left them; printed when every design has
 * at least 50 such batches. The main median mixes these with batches that start after another
 * design; the gap between the two is what starting after other work costs each design (see
 * BENCHMARKS.md, SQLite at batch 100).
 *
 * <p>One operation writes one batch of {@code batch} new messages; the {@code messages}
 * counter reports messages/s. The writer starts a new trace every {@value #SESSION} messages
 * (inside the measured time, the same for every variant; on {@code memory} it also deletes
 * the finished one, to keep the heap's live set small), and every trial starts on fresh
 * tables under a random prefix, dropped at its end.
 *
 * <p>Run from the repository root. The ratios, interleaved (about 5 minutes at two batch sizes; narrow with
 * {@code -p storage=postgresql}):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.IngestBenchmark -wi 1 -w 2s -i 5 -r 4s -p variant=interleaved -p batch=100,1000 -rf json -rff ingest.json"</pre>
 * Every variant as its own trial, for absolute rates on a quiet machine (about 30 minutes):
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

    @Param({"memory", "h2", "sqlite", "postgresql", "mariadb"})
    public String storage;

    @Param({"1", "10", "100", "1000"})
    public int batch;

    /** Named so that it sorts last: JMH varies the alphabetically last parameter fastest, so the variants run back to back. */
    @Param({"tracestore", "raw", "handWritten", "perMessageCounter", "ormCounter", "countOnRead", "interleaved"})
    public String variant;

    /**
     * The designs {@code interleaved} alternates, joined by {@code +} (JMH separates values by
     * commas): by default all five; fewer show whether one design's presence in the rotation
     * changes another's time.
     */
    @Param({"tracestore+raw+handWritten+perMessageCounter+ormCounter"})
    public String rotation;

    BenchDatabase db;
    TraceStorage spi;
    TraceStore store;
    String upsertSql;
    String incrementSql;
    String oneWriteSql;

    long traceId;
    long sessions;
    long seq;
    long inTrace;
    /** The designs {@code interleaved} alternates, in a new random order at each operation. */
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
        public long rawNanos;
        public long handWrittenNanos;
        public long perMessageCounterNanos;
        public long ormCounterNanos;

        @Setup(Level.Iteration)
        public void reset() {
            messages = 0;
            tracestoreNanos = 0;
            rawNanos = 0;
            handWrittenNanos = 0;
            perMessageCounterNanos = 0;
            ormCounterNanos = 0;
        }
    }

    @Setup(Level.Trial)
    public void open() {
        for (String design : rotation.split("\\+")) {
            if (!List.of("tracestore", "raw", "handWritten", "perMessageCounter", "ormCounter").contains(design)) {
                throw new IllegalArgumentException("rotation: unknown design '" + design + "'");
            }
            order.add(design);
        }
        if (storage.equals("memory")) {
            spi = InMemoryTraceStorage.create();
        } else {
            db = BenchDatabase.open(storage);
            spi = db.storage;
            upsertSql = db.dialect.upsertMessage(db.table("messages"));
            oneWriteSql = "UPDATE " + db.table("traces")
                    + " SET message_count = message_count + ?, updated_at = ? WHERE id = ? AND deleting = FALSE";
            incrementSql = "UPDATE " + db.table("traces") + " SET message_count = message_count + 1 WHERE id = ?";
        }
        store = TraceStore.builder().storage(spi).build();
        newTrace();
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() {
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
        store.close();
        if (db != null) {
            db.close();
        }
    }

    private void newTrace() {
        if (db == null && traceId != 0) {
            // The in-memory store keeps everything on the heap: drop the finished session, or
            // collecting an ever larger live set dominates (see InMemoryIngestBenchmark).
            store.deleteTrace(traceId);
        }
        traceId = store.upsertTrace(TraceInput.of("bench", "session-" + ++sessions).withAgent("claude-code")).id();
        inTrace = 0;
    }

    @Benchmark
    public int ingest(Counters counters) throws SQLException {
        if (!variant.equals("interleaved")) {
            counters.messages += batch;
            return write(variant, nextBatch());
        }
        int written = 0;
        // A fresh random order each time: with a fixed cycle, one design would always follow the
        // same other one and inherit its after-effects (on PostgreSQL, the dead row versions that
        // a per-message counter leaves on the trace row, which the next writer of the row prunes).
        Collections.shuffle(order, random);
        for (String each : order) {
            List<MessageInput> inputs = nextBatch();
            long cpuStart = cpuTimed ? threads.getCurrentThreadCpuTime() : 0;
            long start = System.nanoTime();
            written += write(each, inputs);
            long nanos = System.nanoTime() - start;
            long cpuNanos = cpuTimed ? threads.getCurrentThreadCpuTime() - cpuStart : 0;
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
            switch (each) {
                case "tracestore" -> counters.tracestoreNanos += nanos;
                case "raw" -> counters.rawNanos += nanos;
                case "handWritten" -> counters.handWrittenNanos += nanos;
                case "ormCounter" -> counters.ormCounterNanos += nanos;
                default -> counters.perMessageCounterNanos += nanos;
            }
        }
        counters.messages += written;
        return written;
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
            for (String design : List.of("raw", "handWritten", "tracestore", "perMessageCounter")) {
                db.execute("PRAGMA wal_checkpoint(TRUNCATE)");
                long before = Files.size(wal);
                for (int i = 0; i < batches; i++) {
                    write(design, nextBatch());
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
            inputs.add(MessageInput.of("m-" + s, s, (s & 1) == 0 ? Role.USER : Role.ASSISTANT, TEXT));
        }
        inTrace += batch;
        return inputs;
    }

    private int write(String design, List<MessageInput> inputs) throws SQLException {
        switch (design) {
            case "tracestore":
                store.upsertMessagesBatch(traceId, inputs);
                return inputs.size();
            case "raw":
            case "countOnRead":
                return db == null ? memory(inputs, false) : jdbc(inputs, false);
            case "perMessageCounter":
                return db == null ? memory(inputs, true) : jdbc(inputs, true);
            case "ormCounter":
                return db == null ? memory(inputs, true) : orm(inputs);
            case "handWritten":
                return db == null ? memoryHandWritten(inputs) : handWritten(inputs);
            default:
                throw new IllegalArgumentException("variant: unknown " + design);
        }
    }

    private int memoryHandWritten(List<MessageInput> inputs) {
        Instant now = Instant.now();
        List<Message> messages = messages(inputs, now);
        spi.writeMessages(traceId, messages, messages.size(), now);
        return messages.size();
    }

    private static List<Message> messages(List<MessageInput> inputs, Instant now) {
        List<Message> messages = new ArrayList<>(inputs.size());
        for (MessageInput in : inputs) {
            messages.add(new Message(in.externalId(), in.sequence(), in.role(), in.text(), null, now, null));
        }
        return messages;
    }

    private int memory(List<MessageInput> inputs, boolean perMessage) {
        Instant now = Instant.now();
        List<Message> messages = messages(inputs, now);
        if (perMessage) {
            for (Message m : messages) {
                spi.writeMessages(traceId, List.of(m), 1, now);
            }
        } else {
            spi.writeMessages(traceId, messages, 0, now);
        }
        return messages.size();
    }

    /** TraceStore's design written by hand: the one trace-row write, then the raw batch. */
    private int handWritten(List<MessageInput> inputs) throws SQLException {
        return inTransaction(inputs, (c, now) -> {
            try (PreparedStatement ps = c.prepareStatement(oneWriteSql)) {
                ps.setLong(1, inputs.size());
                db.dialect.setInstant(ps, 2, now);
                ps.setLong(3, traceId);
                ps.executeUpdate();
            }
            upsert(c, inputs, now);
        });
    }

    private void upsert(Connection c, List<MessageInput> inputs, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertSql)) {
            for (MessageInput m : inputs) {
                bind(ps, m, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Rails' {@code counter_cache}: per message, the insert and then the counter's update, each a round trip. */
    private int orm(List<MessageInput> inputs) throws SQLException {
        return inTransaction(inputs, (c, now) -> {
            try (PreparedStatement upsert = c.prepareStatement(upsertSql);
                    PreparedStatement increment = c.prepareStatement(incrementSql)) {
                for (MessageInput m : inputs) {
                    bind(upsert, m, now);
                    upsert.executeUpdate();
                    increment.setLong(1, traceId);
                    increment.executeUpdate();
                }
            }
        });
    }

    private int jdbc(List<MessageInput> inputs, boolean perMessage) throws SQLException {
        return inTransaction(inputs, (c, now) -> {
            upsert(c, inputs, now);
            if (perMessage) {
                try (PreparedStatement ps = c.prepareStatement(incrementSql)) {
                    for (int i = 0; i < inputs.size(); i++) {
                        ps.setLong(1, traceId);
                        ps.addBatch();
                    }
                    ps.executeBatch();
                }
            }
        });
    }

    /** The dialect's upsert parameters for one message of the current trace, as the adapter binds them. */
    private void bind(PreparedStatement ps, MessageInput m, Instant now) throws SQLException {
        ps.setLong(1, traceId);
        ps.setString(2, m.externalId());
        ps.setLong(3, m.sequence());
        ps.setString(4, m.role().name());
        ps.setString(5, m.text());
        ps.setString(6, null);
        db.dialect.setInstant(ps, 7, now);
        ps.setString(8, null);
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection c, Instant now) throws SQLException;
    }

    /** Runs {@code work} as one transaction on a pooled connection; returns the batch's size. */
    private int inTransaction(List<MessageInput> inputs, Work work) throws SQLException {
        Instant now = Instant.now();
        try (Connection c = db.pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                work.run(c, now);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
        return inputs.size();
    }
}
