package dev.tracestore.sync;

import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceTotals;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The in-memory storage, counting the writes a sync makes (trace upserts, message batches,
 * recounts, truncations), and able to lose the acknowledgement of the next batches: the batch lands, then
 * the call fails, as a connection dropped after the commit would.
 */
final class CountingStorage implements TraceStorage {
    private final TraceStorage delegate = InMemoryTraceStorage.create();
    int traceWrites;
    int batches;
    int recounts;
    int truncations;
    int acknowledgementsToLose;
    /** Runs once, before the next batch is written: another writer getting there first. */
    Runnable beforeNextBatch;

    int writes() {
        return traceWrites + batches + recounts + truncations;
    }

    @Override
    public StoredTrace upsertTrace(TraceInput input, Instant now) {
        traceWrites++;
        return delegate.upsertTrace(input, now);
    }

    @Override
    public void writeMessages(long traceId, List<Message> messages, long countIncrement, TraceTotals added,
            CursorMove cursor, Instant now) {
        Runnable before = beforeNextBatch;
        beforeNextBatch = null;
        if (before != null) {
            before.run();
        }
        delegate.writeMessages(traceId, messages, countIncrement, added, cursor, now);
        batches++;
        if (acknowledgementsToLose > 0) {
            acknowledgementsToLose--;
            throw new StorageException("injected: the batch landed, its acknowledgement was lost", null);
        }
    }

    @Override
    public RecountResult recount(long traceId) {
        recounts++;
        return delegate.recount(traceId);
    }

    @Override
    public RecountResult truncateMessages(long traceId, long fromSequence, CursorMove cursor, Instant now) {
        truncations++;
        return delegate.truncateMessages(traceId, fromSequence, cursor, now);
    }

    @Override
    public Optional<StoredTrace> findTrace(long traceId) {
        return delegate.findTrace(traceId);
    }

    @Override
    public Optional<StoredTrace> findTrace(String namespace, String externalId) {
        return delegate.findTrace(namespace, externalId);
    }

    @Override
    public Optional<StoredTrace> findTraceByShareKey(String shareKey) {
        return delegate.findTraceByShareKey(shareKey);
    }

    @Override
    public boolean createShareToken(long traceId, dev.tracestore.spi.ShareToken token) {
        return delegate.createShareToken(traceId, token);
    }

    @Override
    public void revokeShareToken(long traceId) {
        delegate.revokeShareToken(traceId);
    }

    @Override
    public long countMessages(long traceId) {
        return delegate.countMessages(traceId);
    }

    @Override
    public TraceTotals sumMessages(long traceId) {
        return delegate.sumMessages(traceId);
    }

    @Override
    public List<StoredTrace> listTraces(TraceListQuery query) {
        return delegate.listTraces(query);
    }

    @Override
    public List<Message> listMessages(long traceId, MessagePosition after, int limit) {
        return delegate.listMessages(traceId, after, limit);
    }

    @Override
    public List<Long> tracesWithUnknownCount(long afterId, int limit) {
        return delegate.tracesWithUnknownCount(afterId, limit);
    }

    @Override
    public boolean markDeleting(long traceId) {
        return delegate.markDeleting(traceId);
    }

    @Override
    public int deleteMessages(long traceId, int chunkSize) {
        return delegate.deleteMessages(traceId, chunkSize);
    }

    @Override
    public void removeTrace(long traceId) {
        delegate.removeTrace(traceId);
    }

    @Override
    public List<Long> deletingTraces(int limit) {
        return delegate.deletingTraces(limit);
    }

    @Override
    public List<Long> traceIds(String namespace, long afterId, int limit) {
        return delegate.traceIds(namespace, afterId, limit);
    }
}
