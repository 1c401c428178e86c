package dev.tracestore.benchmarks;

import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceStorage;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What an {@link IngestBenchmark} trial wrote, batch by batch, and the check at its end that
 * the tables hold exactly that. Every message id of a trial is distinct (one sequence for the
 * whole trial, {@code m-<sequence>}), so every upsert inserts and the outcome is exactly
 * predictable: each batch's rows, each design's rows, each trace's rows, and each trace's
 * cached count, which only the designs that count add to. Batch {@code k} holds sequences
 * {@code k × batch} to {@code (k + 1) × batch - 1}, which is how rows are told apart by design.
 */
final class WrittenBatches {
    private final String label;
    private final int batch;
    /** The designs in the order they first wrote; a batch's design is its index plus one. */
    private final List<String> designs = new ArrayList<>();
    private byte[] designOfBatch = new byte[1024];
    private final Map<String, Long> messagesByDesign = new LinkedHashMap<>();
    /** The designs that add their batches to the trace's count. */
    private final Set<String> counting = new HashSet<>();
    /** Per trace: the messages written into it, and those written by designs that count. */
    private final Map<Long, long[]> traces = new LinkedHashMap<>();

    WrittenBatches(String label, int batch) {
        this.label = label;
        this.batch = batch;
    }

    /** Records a trace that was created. */
    void trace(long traceId) {
        traces.putIfAbsent(traceId, new long[2]);
    }

    /** Records a batch that {@code design} wrote; {@code counted} if it added the batch's size to the trace's count. */
    void add(String design, long traceId, long firstSequence, int size, boolean counted) {
        if (size != batch || firstSequence % batch != 0) {
            throw new IllegalStateException(label + ": a batch of " + size + " from sequence " + firstSequence);
        }
        int index = designs.indexOf(design);
        if (index < 0) {
            designs.add(design);
            index = designs.size() - 1;
        }
        int k = Math.toIntExact(firstSequence / batch);
        if (k >= designOfBatch.length) {
            designOfBatch = Arrays.copyOf(designOfBatch, Math.max(k + 1, designOfBatch.length * 2));
        }
        designOfBatch[k] = (byte) (index + 1);
        messagesByDesign.merge(design, (long) size, Long::sum);
        long[] trace = traces.computeIfAbsent(traceId, id -> new long[2]);
        trace[0] += size;
        if (counted) {
            trace[1] += size;
            counting.add(design);
        }
    }

    /**
     * Checks the tables of a JDBC trial: every recorded batch has all its rows in its trace,
     * each design's rows equal the messages it wrote, no other row exists, and every trace's
     * cached count equals the messages the counting designs wrote into it.
     *
     * @throws IllegalStateException naming what differs
     */
    void verify(BenchDatabase db) {
        String k = (db.kind == BenchDatabase.Kind.mariadb ? "seq DIV " : "seq / ") + batch;
        Map<String, Long> rowsByDesign = new LinkedHashMap<>();
        Map<Long, long[]> found = new HashMap<>(); // per trace: rows, rows of counting designs
        Map<Long, Long> counts = new HashMap<>();
        List<String> problems = new ArrayList<>();
        try (Connection c = db.pool.getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT trace_id, " + k + ", COUNT(*) FROM " + db.table("messages")
                    + " GROUP BY trace_id, " + k)) {
                while (rs.next()) {
                    long traceId = rs.getLong(1);
                    long index = rs.getLong(2);
                    long rows = rs.getLong(3);
                    String design = index < designOfBatch.length && designOfBatch[(int) index] != 0
                            ? designs.get(designOfBatch[(int) index] - 1) : null;
                    if (design == null) {
                        problems.add(rows + " rows of trace " + traceId + " in sequences no batch wrote (batch " + index + ")");
                        continue;
                    }
                    if (rows != batch && problems.size() < 5) {
                        problems.add("batch " + index + " of " + design + " has " + rows + " rows, not " + batch);
                    }
                    rowsByDesign.merge(design, rows, Long::sum);
                    long[] trace = found.computeIfAbsent(traceId, id -> new long[2]);
                    trace[0] += rows;
                    if (counting.contains(design)) {
                        trace[1] += rows;
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT id, message_count FROM " + db.table("traces"))) {
                while (rs.next()) {
                    counts.put(rs.getLong(1), rs.getObject(2) == null ? null : rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException(label + ": reading the tables back failed", e);
        }
        messagesByDesign.forEach((design, written) -> {
            long rows = rowsByDesign.getOrDefault(design, 0L);
            if (rows != written) {
                problems.add(design + " wrote " + written + " messages, " + rows + " rows found");
            }
        });
        Set<Long> ids = new TreeSet<>(traces.keySet());
        ids.addAll(counts.keySet());
        for (long id : ids) {
            long[] expected = traces.getOrDefault(id, new long[2]);
            long[] actual = found.getOrDefault(id, new long[2]);
            Long count = counts.get(id);
            if (!traces.containsKey(id) || !counts.containsKey(id)) {
                problems.add("trace " + id + (traces.containsKey(id) ? " is missing" : " was never created by the trial"));
            } else if (actual[0] != expected[0]) {
                problems.add("trace " + id + " holds " + actual[0] + " rows, " + expected[0] + " were written");
            } else if (count == null || count != expected[1] || actual[1] != expected[1]) {
                problems.add("trace " + id + ": cached count " + count + ", the counting designs wrote " + expected[1]
                        + " messages and " + actual[1] + " of their rows were found");
            }
        }
        fail(problems);
    }

    /**
     * Checks the live trace of an in-memory trial (the benchmark deletes each finished one): its
     * rows equal the messages written into it, its count those of the counting designs.
     *
     * @throws IllegalStateException naming what differs
     */
    void verify(TraceStorage storage, long traceId) {
        long[] expected = traces.getOrDefault(traceId, new long[2]);
        long rows = storage.countMessages(traceId);
        Long count = storage.findTrace(traceId).map(StoredTrace::messageCount).orElse(null);
        List<String> problems = new ArrayList<>();
        if (rows != expected[0]) {
            problems.add("trace " + traceId + " holds " + rows + " messages, " + expected[0] + " were written");
        }
        if (count == null || count != expected[1]) {
            problems.add("trace " + traceId + ": cached count " + count + ", the counting designs wrote " + expected[1]);
        }
        fail(problems);
    }

    private void fail(List<String> problems) {
        if (!problems.isEmpty()) {
            throw new IllegalStateException(label + ": the tables do not hold what the trial wrote: "
                    + String.join("; ", problems.subList(0, Math.min(problems.size(), 8)))
                    + (problems.size() > 8 ? "; and " + (problems.size() - 8) + " more" : ""));
        }
    }
}
