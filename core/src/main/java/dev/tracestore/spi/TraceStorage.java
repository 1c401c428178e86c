package dev.tracestore.spi;

import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What a storage adapter implements: the primitives that {@link dev.tracestore.TraceStore}
 * cannot build itself. Arguments arrive validated by the core; an adapter need not check
 * lengths or nulls again.
 *
 * <p>Every method is called concurrently from many threads and must be thread-safe. A trace
 * that is <em>being deleted</em> (tombstoned by {@link #markDeleting}) is invisible to every
 * read and refuses every write with {@link TraceNotFoundException}, as an absent one does.
 * Failures of the underlying store surface as {@link StorageException} (or another
 * {@link dev.tracestore.TraceStoreException}); after one, every guarantee below still holds.
 *
 * <p>The properties that the contract test kit checks on every adapter:
 * <ol>
 *   <li><b>Atomic batch</b> — {@link #writeMessages} commits the messages and the count
 *       increment together or not at all.
 *   <li><b>No lost increments</b> — concurrent increments of one trace all land: the count is
 *       changed in the store ({@code count = count + ?}), never read, added to and written back.
 *   <li><b>Safe recount</b> — {@link #recount} locks the trace row, then counts, then sets, so a
 *       batch committing concurrently is either fully counted or adds its increment afterwards.
 *   <li><b>No deadlocks</b> between concurrent writes to one trace, even with overlapping ids:
 *       take the trace row first, then the messages in the order given.
 *   <li><b>Bounded deletion</b> — no call holds more than one chunk of messages in a transaction.
 *   <li><b>Unknown trace</b> — writes to an absent or tombstoned trace throw
 *       {@link TraceNotFoundException} and write nothing.
 * </ol>
 */
public interface TraceStorage {

    /**
     * Creates the trace keyed by ({@code input.namespace()}, {@code input.externalId()}), or
     * updates it. Non-null attributes of {@code input} replace stored ones; null ones keep
     * them. A new trace gets a fresh positive id, message count 0, visibility
     * {@code PRIVATE} if none is given, {@code createdAt} = {@code input.createdAt()} or
     * {@code now}; every call sets {@code updatedAt = now}. Atomic: two concurrent calls with
     * the same key create one trace.
     *
     * @throws TraceNotFoundException if the key belongs to a trace being deleted
     */
    StoredTrace upsertTrace(TraceInput input, Instant now);

    /** The trace with this id, unless it is absent or being deleted. */
    Optional<StoredTrace> findTrace(long traceId);

    /** The trace with this key, unless it is absent or being deleted. */
    Optional<StoredTrace> findTrace(String namespace, String externalId);

    /**
     * Upserts {@code messages} into the trace and adds {@code countIncrement} to its count, as
     * one atomic unit: all of it commits or none of it.
     *
     * <p>Exactly one write reaches the trace row: it checks that the trace exists and is not
     * being deleted, adds the increment in the store ({@code count = count + ?}; a null count
     * stays null) and sets {@code updatedAt = now}, taking the row's write lock. Then the
     * messages are inserted, or replace the message with the same external id, in the order
     * given. The adapter never asks which messages already existed.
     *
     * @param messages       distinct external ids, sorted by external id; not empty
     * @param countIncrement what to add to the count, positive
     * @throws TraceNotFoundException if the trace is absent or being deleted; nothing is written
     */
    void writeMessages(long traceId, List<Message> messages, long countIncrement, Instant now);

    /**
     * The exact number of message rows of the trace, read without locking.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    long countMessages(long traceId);

    /**
     * Sets the trace's count to the exact number of its message rows, safely under concurrent
     * writes: lock the trace row, then count in a statement that sees every batch committed
     * before the lock was granted, then set. One write to the trace row.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    RecountResult recount(long traceId);

    /** Up to {@code query.limit()} traces after {@code query.after()}, in listing order. */
    List<StoredTrace> listTraces(TraceListQuery query);

    /**
     * Up to {@code limit} messages of the trace strictly after {@code after} (from the start
     * when null), in conversation order: sequence, then external id in the storage's binary
     * order, which is {@link MessagePosition#ORDER} but for the one difference that
     * {@link MessagePosition} documents. The listing and the position use the same order.
     */
    List<Message> listMessages(long traceId, MessagePosition after, int limit);

    /** Up to {@code limit} ids, ascending and greater than {@code afterId}, of visible traces whose count is unknown. */
    List<Long> tracesWithUnknownCount(long afterId, int limit);

    /**
     * Tombstones the trace: from the moment this returns, it is invisible and refuses writes.
     * Waits for writes in flight on the trace to commit first (it takes the row's write lock).
     *
     * @return whether the trace existed (tombstoned before or now); false if absent
     */
    boolean markDeleting(long traceId);

    /**
     * Deletes up to {@code chunkSize} messages of a tombstoned trace in one short transaction.
     *
     * @return how many were deleted; less than {@code chunkSize} once none remain
     */
    int deleteMessages(long traceId, int chunkSize);

    /** Removes a tombstoned trace row whose messages are all deleted. Idempotent. */
    void removeTrace(long traceId);

    /** Up to {@code limit} ids of tombstoned traces, ascending: deletions to resume. */
    List<Long> deletingTraces(int limit);

    /** Up to {@code limit} ids, ascending and greater than {@code afterId}, of the namespace's traces, tombstoned or not. */
    List<Long> traceIds(String namespace, long afterId, int limit);
}
