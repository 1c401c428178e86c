package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.StoredTrace;
import java.time.Instant;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creating and updating trace rows: a trace's key claimed in {@code trace_keys} by a lightweight
 * transaction, its row, its position in its namespace's list, and, when an update makes it
 * private, the removal of its share token with the visibility. Thread-safe.
 */
final class TraceUpserts {
    private static final Logger log = LoggerFactory.getLogger(CassandraTraceStorage.class);

    private final Driver driver;
    private final Cql cql;
    private final WriteTimestamps timestamps;
    private final TraceReader traces;
    private final TraceKeys keys;
    private final ShareKeys shares;
    private final TraceList list;
    private final IdBlocks ids;

    TraceUpserts(Driver driver, Cql cql, WriteTimestamps timestamps, TraceReader traces, TraceKeys keys, ShareKeys shares,
            TraceList list, IdBlocks ids) {
        this.driver = driver;
        this.cql = cql;
        this.timestamps = timestamps;
        this.traces = traces;
        this.keys = keys;
        this.shares = shares;
        this.list = list;
        this.ids = ids;
    }

    /** {@link CassandraTraceStorage#upsertTrace}: find the key, then update the trace or create it. */
    StoredTrace upsert(TraceInput in, Instant now) {
        long at = Micros.of("now", now);
        long createdAt = in.createdAt() == null ? at : Micros.of("createdAt", in.createdAt());
        String operation = "upserting a trace";
        for (int round = 1; ; round++) {
            long timestamp = timestamps.next(); // before the reads: a deletion hiding the trace after them shadows our writes
            Long id = keys.find(operation, in.namespace(), in.externalId());
            if (id != null) {
                TraceRow row = traces.read(operation, id);
                if (row != null) {
                    if (row.deleting()) {
                        throw new TraceNotFoundException(id, in.namespace(), in.externalId());
                    }
                    return update(operation, row, in, at, timestamp);
                }
                // Read between a removal freeing the key and dropping the trace: free it for sure, look again.
                keys.free(operation, in.namespace(), in.externalId(), id);
            } else {
                StoredTrace created = create(operation, in, at, createdAt, timestamp);
                if (created != null) {
                    return created;
                }
            }
            if (round >= 100) {
                throw new StorageException("Cassandra storage: " + operation + " did not settle after " + round
                        + " rounds of concurrent changes to its key", null);
            }
        }
    }

    private StoredTrace update(String operation, TraceRow row, TraceInput in, long at, long timestamp) {
        long target = Math.max(at, row.updatedAt());
        List<Long> older = row.positionsBefore(target);
        // The list row at the new position comes first, so that no failure can leave the trace unlisted.
        driver.run(operation, list.listed(row.namespace(), row.id(), target, timestamp));
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
        if (in.title() != null || in.agentId() != null || in.model() != null || in.visibility() != null
                || in.projectName() != null) {
            BoundStatementBuilder set = driver.prepared(cql.updateTrace).boundStatementBuilder();
            setIfPresent(set, 0, in.title());
            setIfPresent(set, 1, in.agentId());
            setIfPresent(set, 2, in.model());
            setIfPresent(set, 3, in.visibility() == null ? null : in.visibility().name());
            setIfPresent(set, 4, in.projectName());
            if (in.visibility() == Visibility.PRIVATE) {
                set.setToNull(5).setToNull(6); // with the visibility: making a trace private revokes its token
            }
            batch.addStatement(set.setLong(7, row.id()).build());
        }
        addPosition(batch, driver.prepared(cql.insertPosition).bind(row.id(), target), row.id(), target, older);
        driver.run(operation, driver.batch(batch, timestamp));
        if (!older.isEmpty()) {
            driver.run(operation, list.unlisted(row.namespace(), row.id(), older, timestamp));
        }
        if (in.visibility() == Visibility.PRIVATE) {
            shares.revokedByPrivacy(operation, row);
        }
        return new StoredTrace(row.id(), row.namespace(), row.externalId(), or(in.title(), row.title()),
                or(in.agentId(), row.agentId()), or(in.model(), row.model()), or(in.visibility(), row.visibility()),
                or(in.projectName(), row.projectName()), Micros.toInstant(row.createdAt()), Micros.toInstant(target),
                row.messageCount(), row.totals(), row.ingestCursor(),
                in.visibility() == Visibility.PRIVATE ? null : row.shareToken());
    }

    /** Creates the trace and claims its key; null if another creator claimed the key first. */
    private StoredTrace create(String operation, TraceInput in, long at, long createdAt, long timestamp) {
        long id = ids.next(operation);
        Visibility visibility = in.visibility() == null ? Visibility.PRIVATE : in.visibility();
        // The row before the key: whoever finds the key finds the trace.
        BoundStatementBuilder insert = driver.prepared(cql.createTrace).boundStatementBuilder()
                .setLong(0, id).setLong(1, at).setString(2, in.namespace()).setString(3, in.externalId());
        setIfPresent(insert, 4, in.title());
        setIfPresent(insert, 5, in.agentId());
        setIfPresent(insert, 6, in.model());
        insert.setString(7, visibility.name());
        setIfPresent(insert, 8, in.projectName());
        insert.setLong(9, createdAt);
        driver.run(operation, driver.writing(insert.build(), timestamp));
        if (!keys.claim(operation, in.namespace(), in.externalId(), id)) {
            // Another process created the trace meanwhile: ours was never reachable; drop it.
            driver.run(operation, driver.write(cql.dropTrace, timestamps.next(), id));
            return null;
        }
        driver.run(operation, list.listed(in.namespace(), id, at, timestamp));
        log.debug("Created trace {}", id);
        return new StoredTrace(id, in.namespace(), in.externalId(), in.title(), in.agentId(), in.model(), visibility,
                in.projectName(), Micros.toInstant(createdAt), Micros.toInstant(at), 0L, TraceTotals.NONE, null, null);
    }

    /**
     * Adds the trace's position row at {@code target} ({@code position}) to a batch on its
     * partition, and, if it has older ones, one range deletion of every position before {@code target}.
     */
    void addPosition(BatchStatementBuilder batch, BoundStatement position, long traceId, long target,
            List<Long> older) {
        batch.addStatement(position);
        if (!older.isEmpty()) {
            batch.addStatement(driver.prepared(cql.deletePositionsBefore).bind(traceId, target));
        }
    }

    private static void setIfPresent(BoundStatementBuilder statement, int index, String value) {
        if (value != null) {
            statement.setString(index, value); // left unset otherwise: no overwrite, no tombstone
        }
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
