package dev.tracestore.benchmarks;

import dev.tracestore.TraceInput;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
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
import org.openjdk.jmh.infra.Blackhole;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * Time to read one page of {@value #PAGE} {@link TraceSummary} with their message counts,
 * {@code messagesPerTrace} messages in each trace:
 * <ul>
 * <li>{@code cached}: {@code TraceStore.listTraces}, which reads the count stored on the trace row;</li>
 * <li>{@code countOnRead}: no stored count, the page's counts computed by
 *     {@code COUNT(*) … GROUP BY} on every read, as Langfuse and Opik do. To be fair to it, it
 *     counts only the page's traces (the page is chosen first in a derived table, then joined
 *     to the messages), over the primary key {@code (trace_id, external_id)}, after the
 *     tables were analysed (and vacuumed on PostgreSQL, so an index-only scan is possible).</li>
 * <li>{@code interleaved}: the cached page only, of two namespaces in the same database, read
 *     alternately in a random order: one whose traces hold {@code messagesPerTrace} messages,
 *     one whose traces hold 100. Their medians, printed at the end of the trial
 *     ({@code MEDIANS} line), show whether the cached page's time depends on the traces'
 *     length, measured in the same seconds (at {@code messagesPerTrace=100} the two are the
 *     same query on equal data: the noise).</li>
 * </ul>
 * Both produce the same {@link TraceSummary} records. The messages are generated in the
 * database ({@code generate_series} and its equivalents) outside the measured time.
 *
 * <p>Run from the repository root (about 5 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.ListBenchmark -wi 2 -w 1s -i 3 -r 1s"</pre>
 * The cached page's flatness (about 3 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.ListBenchmark -p variant=interleaved -wi 2 -w 2s -i 5 -r 4s"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class ListBenchmark {
    static final int PAGE = 50;
    /** Messages per trace in the {@code short} namespace of {@code interleaved}. */
    static final int SHORT = 100;

    @Param({"h2", "sqlite", "postgresql", "mariadb"})
    public String storage;

    @Param({"100", "10000"})
    public int messagesPerTrace;

    /** Sorts last, so JMH runs the variants back to back (it varies the alphabetically last parameter fastest). */
    @Param({"cached", "countOnRead", "interleaved"})
    public String variant;

    BenchDatabase db;
    TraceStore store;
    String groupBySql;
    final List<String> order = new ArrayList<>(List.of("long", "short"));
    final Random random = new Random(42);
    final Samples samples = new Samples();
    boolean measuring;

    @Setup(Level.Trial)
    public void open() {
        db = BenchDatabase.openForReads(storage);
        store = TraceStore.builder().storage(db.storage).build();
        for (int i = 0; i < PAGE; i++) {
            store.upsertTrace(TraceInput.of("bench", "session-" + i).withTitle("Session " + i).withAgent("claude-code")
                    .withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC));
        }
        Fill.messages(db, messagesPerTrace);
        if (variant.equals("interleaved")) {
            for (int i = 0; i < PAGE; i++) {
                long id = store.upsertTrace(TraceInput.of("short", "session-" + i).withTitle("Session " + i)
                        .withAgent("claude-code").withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC)).id();
                Fill.messages(db, id, SHORT);
            }
            Fill.analyse(db);
            List<TraceSummary> shortPage = cached("short");
            if (shortPage.size() != PAGE || shortPage.get(0).messageCount() != SHORT) {
                throw new IllegalStateException("the short namespace was not filled: " + shortPage);
            }
        }
        String traces = db.table("traces");
        // Count on read computes all that the cached design shows: the count, the totals, the latest message.
        groupBySql = "SELECT p.id, p.namespace, p.external_id, p.title, p.agent_id, p.model, p.visibility, p.updated_at,"
                + " COUNT(m.trace_id), COALESCE(SUM(m.tool_calls), 0), COALESCE(SUM(m.input_tokens), 0),"
                + " COALESCE(SUM(m.output_tokens), 0), COALESCE(SUM(m.cache_read_tokens), 0),"
                + " COALESCE(SUM(m.cache_write_tokens), 0), MAX(m.created_at)"
                + " FROM (SELECT id, namespace, external_id, title, agent_id, model, visibility,"
                + " updated_at FROM " + traces + " WHERE namespace = ? AND deleting = FALSE"
                + " ORDER BY namespace DESC, updated_at DESC, id DESC " + db.sql.limit() + ") p"
                + " LEFT JOIN " + db.table("messages") + " m ON m.trace_id = p.id"
                + " GROUP BY p.id, p.namespace, p.external_id, p.title, p.agent_id, p.model, p.visibility, p.updated_at"
                + " ORDER BY p.updated_at DESC, p.id DESC";
        // Both designs must show the same counts, or the comparison means nothing.
        List<TraceSummary> cached = cached();
        List<TraceSummary> counted = countOnRead();
        if (!cached.equals(counted) || cached.size() != PAGE || cached.get(0).messageCount() != messagesPerTrace) {
            throw new IllegalStateException("the designs disagree: " + cached + " vs " + counted);
        }
    }

    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void close() {
        if (!samples.isEmpty()) {
            System.out.println(samples.report(storage + " long=" + messagesPerTrace + " short=" + SHORT, "long"));
        }
        db.close();
    }

    @Benchmark
    public void page(Blackhole blackhole) {
        switch (variant) {
            case "cached" -> blackhole.consume(cached());
            case "countOnRead" -> blackhole.consume(countOnRead());
            default -> {
                Collections.shuffle(order, random);
                for (String each : order) {
                    long start = System.nanoTime();
                    blackhole.consume(cached(each.equals("long") ? "bench" : "short"));
                    long nanos = System.nanoTime() - start;
                    if (measuring) {
                        samples.add(each, nanos);
                    }
                }
            }
        }
    }

    private List<TraceSummary> cached() {
        return cached("bench");
    }

    private List<TraceSummary> cached(String namespace) {
        return store.listTraces(TraceQuery.namespace(namespace).limit(PAGE)).items();
    }

    private List<TraceSummary> countOnRead() {
        try (Connection c = db.pool.getConnection(); PreparedStatement ps = c.prepareStatement(groupBySql)) {
            ps.setString(1, "bench");
            ps.setInt(2, PAGE);
            List<TraceSummary> page = new ArrayList<>(PAGE);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    page.add(new TraceSummary(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                            rs.getString(5), rs.getString(6), Visibility.valueOf(rs.getString(7)),
                            db.sql.getInstant(rs, 8), rs.getLong(9), rs.getLong(10),
                            new TokenUsage(rs.getLong(11), rs.getLong(12), rs.getLong(13), rs.getLong(14)),
                            rs.getObject(15) == null ? null : db.sql.getInstant(rs, 15)));
                }
            }
            return page;
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }
}
