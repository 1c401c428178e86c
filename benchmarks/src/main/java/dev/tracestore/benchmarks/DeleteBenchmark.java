package dev.tracestore.benchmarks;

import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.spi.TraceStorage;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Time to delete a trace of {@value #MESSAGES} messages: {@code chunked} is
 * {@code TraceStore.deleteTrace} (tombstone, chunks of {@value #CHUNK} messages each in its own
 * transaction, then the row), {@code oneTransaction} the unbounded alternative (every message
 * and the row in one transaction). Single-shot: each invocation deletes a freshly filled trace.
 * After each {@code chunked} invocation a line {@code DELETE <storage>: largest transaction N
 * messages, peak heap M MiB} is printed: N is the largest number of messages one
 * {@code deleteMessages} call (one transaction) removed, observed through a proxy over the
 * storage; M the sum of the heap pools' peaks during the call (reset before it). After every
 * invocation of either variant, the deletion must have reported {@value #MESSAGES} messages and
 * left neither a message nor the row of the trace (counted with SQL, not through the API); a
 * difference fails the run with an {@link IllegalStateException}.
 *
 * <p>Run from the repository root (about 3 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.DeleteBenchmark -wi 1 -i 3"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class DeleteBenchmark {
    static final int MESSAGES = 100_000;
    static final int CHUNK = 1000;

    @Param({"h2", "sqlite", "postgresql", "mariadb"})
    public String storage;

    /** Sorts last, so JMH runs the variants back to back. */
    @Param({"chunked", "oneTransaction"})
    public String variant;

    BenchDatabase db;
    TraceStore store;
    final AtomicInteger largestChunk = new AtomicInteger();
    long traceId;
    int rounds;
    /** The messages the last invocation reported deleted. */
    long deleted;

    @Setup(Level.Trial)
    public void open() {
        db = BenchDatabase.open(storage);
        TraceStorage observed = (TraceStorage) Proxy.newProxyInstance(TraceStorage.class.getClassLoader(),
                new Class<?>[] {TraceStorage.class}, (proxy, method, args) -> {
                    try {
                        Object result = method.invoke(db.storage, args);
                        if (method.getName().equals("deleteMessages")) {
                            largestChunk.accumulateAndGet((Integer) result, Math::max);
                        }
                        return result;
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        store = TraceStore.builder().storage(observed).deletionChunkSize(CHUNK).build();
    }

    @Setup(Level.Invocation)
    public void fill() {
        traceId = store.upsertTrace(TraceInput.of("bench", "delete-" + ++rounds)).id();
        Fill.messages(db, traceId, MESSAGES);
        largestChunk.set(0);
        deleted = -1;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                pool.resetPeakUsage();
            }
        }
    }

    @TearDown(Level.Invocation)
    public void report() throws SQLException {
        verify();
        if (variant.equals("chunked")) {
            long peak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP) {
                    peak += pool.getPeakUsage().getUsed();
                }
            }
            System.out.println("DELETE " + storage + ": largest transaction " + largestChunk.get() + " messages, peak heap "
                    + (peak >> 20) + " MiB");
        }
    }

    /** Nothing of the deleted trace remains, and the deletion reported every message. */
    private void verify() throws SQLException {
        long messages = count("SELECT COUNT(*) FROM " + db.table("messages") + " WHERE trace_id = ?");
        long traces = count("SELECT COUNT(*) FROM " + db.table("traces") + " WHERE id = ?");
        List<String> problems = new ArrayList<>();
        if (messages != 0) {
            problems.add(messages + " of its messages remain");
        }
        if (traces != 0) {
            problems.add("its row remains");
        }
        if (deleted != MESSAGES) {
            problems.add(deleted + " messages were reported deleted, not " + MESSAGES);
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("DeleteBenchmark " + storage + " " + variant + ": after deleting trace "
                    + traceId + ", " + String.join("; ", problems));
        }
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        db.close();
    }

    @Benchmark
    public long delete() throws SQLException {
        if (variant.equals("chunked")) {
            deleted = store.deleteTrace(traceId).messagesDeleted();
            return deleted;
        }
        try (Connection c = db.pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + db.table("messages") + " WHERE trace_id = ?")) {
                ps.setLong(1, traceId);
                deleted = ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + db.table("traces") + " WHERE id = ?")) {
                ps.setLong(1, traceId);
                ps.executeUpdate();
            }
            c.commit();
            c.setAutoCommit(true);
            return deleted;
        }
    }
}
