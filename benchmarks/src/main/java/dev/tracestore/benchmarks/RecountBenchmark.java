package dev.tracestore.benchmarks;

import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;
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
 * Time of {@code TraceStore.recalculateMessageCount} on a trace of {@code messages} messages
 * ({@code recount}: lock the trace row, count, set, in one transaction) against the bare
 * {@code SELECT COUNT(*)} it is built on ({@code countOnly}), so the cost of the safe-recount
 * protocol shows apart from the cost of counting. At the start of each trial the plan of the
 * adapter's count query is printed with the prefix {@code PLAN}: PostgreSQL's
 * {@code EXPLAIN (ANALYZE)} (an {@code Index Only Scan} with {@code Heap Fetches: 0} after
 * vacuum), MariaDB's {@code EXPLAIN} ({@code Using index}), H2's {@code EXPLAIN} and SQLite's
 * {@code EXPLAIN QUERY PLAN} ({@code COVERING INDEX}).
 *
 * <p>Run from the repository root (about 3 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.RecountBenchmark -wi 1 -w 1s -i 3 -r 1s"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RecountBenchmark {

    @Param({"h2", "sqlite", "postgresql", "mariadb"})
    public String storage;

    @Param({"10000", "100000"})
    public int messages;

    /** Sorts last, so JMH runs the variants back to back. */
    @Param({"recount", "countOnly"})
    public String variant;

    BenchDatabase db;
    TraceStore store;
    long traceId;
    String countSql;

    @Setup(Level.Trial)
    public void open() throws SQLException {
        db = BenchDatabase.openForReads(storage);
        store = TraceStore.builder().storage(db.storage).build();
        traceId = store.upsertTrace(TraceInput.of("bench", "recount")).id();
        Fill.messages(db, messages);
        countSql = "SELECT COUNT(*) FROM " + db.table("messages") + " WHERE trace_id = ?";
        if (store.recalculateMessageCount(traceId).count() != messages) {
            throw new IllegalStateException("the recount disagrees with the " + messages + " messages written");
        }
        printPlan();
    }

    private void printPlan() throws SQLException {
        String query = "SELECT message_count, (SELECT COUNT(*) FROM " + db.table("messages") + " WHERE trace_id = "
                + traceId + ") FROM " + db.table("traces") + " WHERE id = " + traceId;
        String explain = switch (db.kind) {
            case postgresql -> "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ";
            case sqlite -> "EXPLAIN QUERY PLAN ";
            case h2, mariadb -> "EXPLAIN ";
        };
        try (Connection c = db.pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(explain + query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder line = new StringBuilder("PLAN ").append(storage).append(' ').append(messages).append(':');
                for (int i = 1; i <= columns; i++) {
                    line.append(' ').append(rs.getString(i));
                }
                System.out.println(line);
            }
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        db.close();
    }

    @Benchmark
    public long recount() throws SQLException {
        if (variant.equals("recount")) {
            return store.recalculateMessageCount(traceId).count();
        }
        try (Connection c = db.pool.getConnection(); PreparedStatement ps = c.prepareStatement(countSql)) {
            ps.setLong(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
