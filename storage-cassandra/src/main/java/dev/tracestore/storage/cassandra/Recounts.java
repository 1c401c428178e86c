package dev.tracestore.storage.cassandra;

import dev.tracestore.TraceNotFoundException;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.RecountResult;

/**
 * The operations that set a trace's counters to what its rows hold, without locks: the
 * recount (property 3 of the package documentation) and the truncation that removes messages
 * first. Thread-safe.
 */
final class Recounts {
    private final Driver driver;
    private final Cql cql;
    private final WriteTimestamps timestamps;
    private final TraceReader traces;
    private final MessageSums sums;
    private final IngestCursors cursors;
    private final MessageRows rows;

    Recounts(Driver driver, Cql cql, WriteTimestamps timestamps, TraceReader traces, MessageSums sums,
            IngestCursors cursors, MessageRows rows) {
        this.driver = driver;
        this.cql = cql;
        this.timestamps = timestamps;
        this.traces = traces;
        this.sums = sums;
        this.cursors = cursors;
        this.rows = rows;
    }

    /** {@link CassandraTraceStorage#recount}. */
    RecountResult recount(long traceId) {
        String operation = "recounting the messages of trace " + traceId;
        long timestamp = timestamps.next();
        TraceRow row = traces.visible(operation, traceId); // reads the counter, before the count
        MessageSums.Sums actual = sums.of(operation, traceId);
        Counters offsets = actual.counters().minus(row.counters());
        driver.run(operation, driver.write(cql.setCount, timestamp, offsets.messages(), offsets.toolCalls(),
                offsets.inputTokens(), offsets.outputTokens(), offsets.cacheReadTokens(), offsets.cacheWriteTokens(),
                actual.lastMessageAt(), traceId));
        if (row.somethingUnknown()) {
            driver.run(operation, driver.write(cql.deleteUnknown, timestamp, Bookkeeping.shard(traceId), traceId));
        }
        return new RecountResult(row.messageCount(), actual.counters().messages(), row.totals(), actual.totals());
    }

    /** {@link CassandraTraceStorage#truncateMessages}. */
    RecountResult truncate(long traceId, long fromSequence, CursorMove cursor) {
        String operation = "truncating trace " + traceId;
        TraceRow trace = traces.read(operation, traceId);
        if (trace == null || trace.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        cursors.require(operation, traceId, cursor.expected());
        rows.removeFrom(operation, traceId, fromSequence, timestamps.next());
        RecountResult recount = recount(traceId);
        cursors.advance(operation, traceId, cursor);
        return recount;
    }
}
