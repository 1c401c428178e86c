package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * The two bookkeeping tables, {@code pending_deletions} (traces hidden for deletion and not yet
 * removed) and {@code unknown_counts} (traces whose count is unknown): each a trace id per row,
 * spread over {@value #SHARDS} partitions by the id, so that no partition grows with the number
 * of traces. They are scanned in id order, all shards read in parallel. Thread-safe.
 */
final class Bookkeeping {
    /** How many partitions {@code pending_deletions} and {@code unknown_counts} spread their rows over. */
    static final int SHARDS = 16;

    private final Driver driver;
    private final TraceReader traces;

    Bookkeeping(Driver driver, TraceReader traces) {
        this.driver = driver;
        this.traces = traces;
    }

    /** The partition a trace's row lives in. */
    static int shard(long traceId) {
        return (int) Math.floorMod(traceId, (long) SHARDS);
    }

    /**
     * The ids after {@code afterId} in the table {@code query} reads, ascending, at most
     * {@code limit}, of the traces that {@code keep} accepts (it is given null for an absent
     * trace), page by page until {@code limit} are found or the table ends.
     */
    List<Long> scan(String operation, String query, long afterId, int limit, Predicate<TraceRow> keep) {
        List<Long> out = new ArrayList<>();
        long from = afterId;
        while (out.size() < limit) {
            int want = limit - out.size();
            List<Long> ids = sharded(operation, query, from, want);
            if (ids.isEmpty()) {
                break;
            }
            List<TraceRow> found = traces.read(operation, ids);
            for (int i = 0; i < ids.size(); i++) {
                if (keep.test(found.get(i))) {
                    out.add(ids.get(i));
                }
            }
            from = ids.get(ids.size() - 1);
            if (ids.size() < want) {
                break;
            }
        }
        return out;
    }

    /** The ids after {@code afterId} in a sharded bookkeeping table, ascending, at most {@code limit}. */
    private List<Long> sharded(String operation, String query, long afterId, int limit) {
        List<CompletableFuture<List<Row>>> reads = new ArrayList<>(SHARDS);
        for (int shard = 0; shard < SHARDS; shard++) {
            reads.add(driver.allAsync(operation, driver.read(query, shard, afterId, limit)).toCompletableFuture());
        }
        List<Long> ids = new ArrayList<>();
        for (CompletableFuture<List<Row>> read : reads) {
            for (Row r : driver.join(operation, read)) {
                ids.add(r.getLong(0));
            }
        }
        ids.sort(null);
        return ids.size() > limit ? new ArrayList<>(ids.subList(0, limit)) : ids;
    }
}
