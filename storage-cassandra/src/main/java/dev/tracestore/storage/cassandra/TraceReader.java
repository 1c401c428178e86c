package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.TraceNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Reads traces: a trace's partition of {@code traces} and its counters in {@code trace_counts},
 * in parallel, as one {@link TraceRow}. Every write reads its trace first. Thread-safe.
 */
final class TraceReader {
    /** Rows per page when reading a trace's partition (its positions: normally one). */
    private static final int TRACE_PAGE = 100;

    private final Driver driver;
    private final Cql cql;

    TraceReader(Driver driver, Cql cql) {
        this.driver = driver;
        this.cql = cql;
    }

    /** The trace, or null if it is absent. */
    TraceRow read(String operation, long traceId) {
        return driver.join(operation, readAsync(traceId));
    }

    /**
     * The trace, which a write or a count requires to exist.
     *
     * @throws TraceNotFoundException if it is absent or being deleted
     */
    TraceRow visible(String operation, long traceId) {
        TraceRow row = read(operation, traceId);
        if (row == null || row.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        return row;
    }

    /** The traces with these ids, in order, read in parallel; null for an absent one. */
    List<TraceRow> read(String operation, List<Long> ids) {
        List<CompletableFuture<TraceRow>> reads = new ArrayList<>(ids.size());
        for (long id : ids) {
            reads.add(readAsync(id).toCompletableFuture());
        }
        List<TraceRow> rows = new ArrayList<>(ids.size());
        for (CompletableFuture<TraceRow> read : reads) {
            rows.add(driver.join(operation, read));
        }
        return rows;
    }

    /** The trace's partition and its counter, read in parallel; null if the trace is absent. */
    private CompletionStage<TraceRow> readAsync(long traceId) {
        String operation = "reading trace " + traceId;
        CompletionStage<List<Row>> rows = driver.allAsync(operation,
                driver.read(cql.readTrace, traceId).setPageSize(TRACE_PAGE));
        CompletionStage<List<Row>> counter = driver.allAsync(operation, driver.read(cql.readCounter, traceId));
        return rows.thenCombine(counter, (r, c) -> TraceRow.of(traceId, r,
                c.isEmpty() ? Counters.ZERO : Counters.of(c.get(0), 0)));
    }
}
