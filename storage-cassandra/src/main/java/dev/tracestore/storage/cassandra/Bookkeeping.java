package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The two bookkeeping tables, {@code pending_deletions} (traces hidden for deletion and not yet
 * removed) and {@code unknown_counts} (traces whose count or totals are unknown): each a trace id
 * per row, spread over {@value #SHARDS} partitions by the id, so that no partition grows with the
 * number of traces. They are scanned in id order, all shards read in parallel.
 *
 * <p>Traces created under schema version 2 never have unknown totals; those created under
 * version 1 do, and no row of {@code unknown_counts} names them. The first search for unknown
 * totals after the upgrade therefore reads every trace's partition once (its static columns,
 * {@code SELECT DISTINCT}, one pass over the table), registers each such trace, and records in
 * {@code upgrade_scans} that it finished; an interrupted pass is run again whole. A trace that a
 * process still running version 1 code creates after that pass is not found: run the backfill
 * once every process runs this version. Thread-safe.
 */
final class Bookkeeping {
    /** How many partitions {@code pending_deletions} and {@code unknown_counts} spread their rows over. */
    static final int SHARDS = 16;
    private static final Logger log = LoggerFactory.getLogger(Bookkeeping.class);
    /** The name of the upgrade's scan in {@code upgrade_scans}. */
    private static final String V2_TOTALS = "v2_totals";
    /** Partitions per page of the upgrade's scan. */
    private static final int SCAN_PAGE = 1000;

    private final Driver driver;
    private final TraceReader traces;
    private final Cql cql;
    private final WriteTimestamps timestamps;
    /** Set once this storage saw the upgrade's scan finished; it never needs to run again. */
    private volatile boolean v1Registered;

    Bookkeeping(Driver driver, TraceReader traces, Cql cql, WriteTimestamps timestamps) {
        this.driver = driver;
        this.traces = traces;
        this.cql = cql;
        this.timestamps = timestamps;
    }

    /**
     * Makes sure every trace from schema version 1 with unknown totals has its row in
     * {@code unknown_counts}: runs the upgrade's scan if no process finished it yet.
     */
    void registerTracesFromV1(String operation) {
        if (v1Registered) {
            return;
        }
        if (driver.run(operation, driver.read(cql.readUpgradeScan, V2_TOTALS)).one() == null) {
            long timestamp = timestamps.next();
            long[] registered = {0};
            driver.each(operation, driver.read(cql.unknownTotalsScan).setPageSize(SCAN_PAGE), r -> {
                // A partition without a namespace is a fragment of a removed trace; a deleting one needs nothing.
                if (!r.isNull("namespace") && !r.getBoolean("totals_known") && !r.getBoolean("deleting")) {
                    long id = r.getLong("id");
                    driver.run(operation, driver.write(cql.insertUnknown, timestamp, shard(id), id));
                    registered[0]++;
                }
            });
            long finished = timestamps.next(); // epoch microseconds of the system clock, as write timestamps are
            driver.run(operation, driver.write(cql.finishUpgradeScan, finished, V2_TOTALS, finished));
            log.info("Registered {} traces from schema version 1, whose totals are unknown, for the backfill",
                    registered[0]);
        }
        v1Registered = true;
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
