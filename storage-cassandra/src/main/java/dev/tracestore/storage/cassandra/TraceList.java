package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import java.util.ArrayList;
import java.util.List;

/**
 * A namespace's trace list: {@code traces_by_namespace} (one row per trace at its updatedAt,
 * newest first, a query table that writes move their trace in) and {@code trace_ids} (the
 * namespace's ids, ascending). A write lists its trace at the new position before it moves the
 * trace, and unlists the older positions after, so that no failure leaves a trace unlisted; a
 * row that races leave behind is dropped by the next listing that meets it. Thread-safe.
 */
final class TraceList {
    private final Driver driver;
    private final Cql cql;
    private final TraceReader traces;
    private final WriteTimestamps timestamps;

    TraceList(Driver driver, Cql cql, TraceReader traces, WriteTimestamps timestamps) {
        this.driver = driver;
        this.cql = cql;
        this.traces = traces;
        this.timestamps = timestamps;
    }

    /** The trace's list row at {@code position} and its namespace id row: one mutation. */
    Statement<?> listed(String namespace, long traceId, long position, long timestamp) {
        return driver.batch(BatchStatement.builder(BatchType.UNLOGGED)
                .addStatement(driver.prepared(cql.insertListed).bind(namespace, position, traceId))
                .addStatement(driver.prepared(cql.insertId).bind(namespace, traceId)), timestamp);
    }

    /** The deletion of the trace's list rows at {@code positions}: one mutation. */
    Statement<?> unlisted(String namespace, long traceId, List<Long> positions, long timestamp) {
        return driver.batch(unlisting(BatchStatement.builder(BatchType.UNLOGGED), namespace, traceId, positions),
                timestamp);
    }

    /** The deletion of the trace from its namespace: its id row and its list rows at every position, one mutation. */
    Statement<?> removed(TraceRow trace, long timestamp) {
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED)
                .addStatement(driver.prepared(cql.deleteId).bind(trace.namespace(), trace.id()));
        return driver.batch(unlisting(batch, trace.namespace(), trace.id(), trace.positions()), timestamp);
    }

    private BatchStatementBuilder unlisting(BatchStatementBuilder batch, String namespace, long traceId,
            List<Long> positions) {
        for (long position : positions) {
            batch.addStatement(driver.prepared(cql.deleteListed).bind(namespace, position, traceId));
        }
        return batch;
    }

    /**
     * A page of the namespace's traces. Reads the list rows in order and checks each against its
     * trace: a row whose trace is gone, or that a race left behind an older position of its trace,
     * is dropped and deleted; a row ahead of its trace's position (a write in flight) is dropped.
     */
    List<StoredTrace> page(TraceListQuery q) {
        String operation = "listing traces";
        List<StoredTrace> out = new ArrayList<>(Math.min(q.limit(), 128));
        TraceListQuery.Position after = q.after();
        while (out.size() < q.limit()) {
            int want = q.limit() - out.size();
            BoundStatement select = after == null ? driver.read(cql.listFirst, q.namespace(), want)
                    : driver.read(cql.listAfter, q.namespace(), Micros.of(after.updatedAt()), after.id(), want);
            List<Row> rows = driver.all(operation, select);
            if (rows.isEmpty()) {
                break;
            }
            List<Long> ids = new ArrayList<>(rows.size());
            for (Row r : rows) {
                ids.add(r.getLong("id"));
            }
            List<TraceRow> found = traces.read(operation, ids);
            for (int i = 0; i < rows.size(); i++) {
                long position = rows.get(i).getLong("updated_at");
                TraceRow t = found.get(i);
                long id = ids.get(i);
                if (t == null || position < t.updatedAt()) {
                    // Gone for good, or left behind: its trace's position only ever grows. Best effort.
                    driver.quietly(driver.write(cql.deleteListed, timestamps.next(), q.namespace(), position, id));
                    continue;
                }
                StoredTrace stored = t.toStored();
                if (!t.deleting() && position == t.updatedAt() && q.matches(stored)) {
                    out.add(stored);
                    if (out.size() == q.limit()) {
                        break;
                    }
                }
            }
            Row last = rows.get(rows.size() - 1);
            after = new TraceListQuery.Position(Micros.toInstant(last.getLong("updated_at")), last.getLong("id"));
            if (rows.size() < want) {
                break;
            }
        }
        return out;
    }

    /** The namespace's trace ids after {@code afterId}, ascending, at most {@code limit}. */
    List<Long> ids(String namespace, long afterId, int limit) {
        List<Long> ids = new ArrayList<>();
        for (Row r : driver.all("listing trace ids", driver.read(cql.idsAfter, namespace, afterId, limit))) {
            ids.add(r.getLong("id"));
        }
        return ids;
    }
}
