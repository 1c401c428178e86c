package dev.tracestore.spi;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
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
     * the same key create one trace. A call after which the trace is {@code PRIVATE} removes its
     * share token in the same write, so that making a trace private revokes its links at once.
     *
     * @throws TraceNotFoundException if the key belongs to a trace being deleted
     */
    StoredTrace upsertTrace(TraceInput input, Instant now);

    /** The trace with this id, unless it is absent or being deleted. */
    Optional<StoredTrace> findTrace(long traceId);

    /** The trace with this key, unless it is absent or being deleted. */
    Optional<StoredTrace> findTrace(String namespace, String externalId);

    /**
     * The trace whose share token has this {@link ShareToken#key() key}, unless it is absent or
     * being deleted: one indexed read, never a scan. The caller compares the secret.
     */
    Optional<StoredTrace> findTraceByShareKey(String shareKey);

    /**
     * Gives a public or unlisted trace that has no share token this one, in one conditional
     * write to the trace row: nothing changes if the trace already has a token or is private.
     * Keys are unique: the caller makes them random, so a collision is never expected, but
     * one is a failure, never a second trace under the same key.
     *
     * @return whether the token was set
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    boolean createShareToken(long traceId, ShareToken token);

    /**
     * Removes the trace's share token, if it has one: from then on its old links find nothing.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    void revokeShareToken(long traceId);

    /**
     * Upserts {@code messages} into the trace and adds {@code countIncrement} to its count and
     * {@code added} to its totals, as one atomic unit: all of it commits or none of it.
     *
     * <p>Exactly one write reaches the trace row: it checks that the trace exists and is not
     * being deleted, adds the increments in the store ({@code count = count + ?}, each total
     * likewise; a null count or null totals stay null), raises {@code lastMessageAt} to
     * {@code added.lastMessageAt()} if that is later, and sets {@code updatedAt = now}, taking
     * the row's write lock. Then the messages are inserted, or replace the message with the same
     * external id, in the order given, with their usage and tool calls. The adapter never asks
     * which messages already existed.
     *
     * <p>With a {@code cursor}, the same write also compares the trace's ingest cursor with
     * {@code cursor.expected()} and sets {@code cursor.next()}: if they differ, nothing at all is
     * written (no message, no increment) and the call fails with
     * {@link IngestCursorConflictException} carrying the stored cursor. A cursor adds no
     * statement and no round trip to the batch; only the failure reads the row.
     *
     * @param messages       distinct external ids, sorted by external id; not empty, unless a
     *                       cursor is given (then the write only moves the cursor)
     * @param countIncrement what to add to the count: the number of messages
     * @param added          what to add to the totals: {@link TraceTotals#of} the messages
     * @param cursor         the cursor's compare-and-set, or null for none
     * @throws TraceNotFoundException        if the trace is absent or being deleted; nothing is written
     * @throws IngestCursorConflictException if the trace holds another cursor than expected; nothing is written
     */
    void writeMessages(long traceId, List<Message> messages, long countIncrement, TraceTotals added, CursorMove cursor,
            Instant now);

    /**
     * The exact number of message rows of the trace, read without locking.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    long countMessages(long traceId);

    /**
     * The totals of the trace's message rows, read without locking: what a read shows for a
     * trace whose stored totals are unknown.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    TraceTotals sumMessages(long traceId);

    /**
     * Sets the trace's count and totals to those of its message rows, safely under concurrent
     * writes: lock the trace row, then count and sum in a statement that sees every batch
     * committed before the lock was granted, then set. One write to the trace row.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    RecountResult recount(long traceId);

    /**
     * Removes the trace's messages whose sequence is {@code fromSequence} or more, then sets its
     * count and totals to those of the rows that remain, and sets its ingest cursor: the rewind of
     * a source that no longer says what was synced from it. Under the same lock as
     * {@link #recount}, so an increment that commits meanwhile is never erased, and atomic: if
     * the trace holds another cursor than {@code cursor.expected()}, nothing is removed and the
     * call fails with {@link IngestCursorConflictException}.
     *
     * @return the recount of what remains, with the count and totals stored before
     * @throws TraceNotFoundException        if the trace is absent or being deleted; nothing is removed
     * @throws IngestCursorConflictException if the trace holds another cursor than expected; nothing is removed
     */
    RecountResult truncateMessages(long traceId, long fromSequence, CursorMove cursor, Instant now);

    /** Up to {@code query.limit()} traces after {@code query.after()}, in listing order. */
    List<StoredTrace> listTraces(TraceListQuery query);

    /**
     * Up to {@code limit} messages of the trace strictly after {@code after} (from the start
     * when null), in conversation order: sequence, then external id in the storage's binary
     * order, which is {@link MessagePosition#ORDER} but for the one difference that
     * {@link MessagePosition} documents. The listing and the position use the same order.
     */
    List<Message> listMessages(long traceId, MessagePosition after, int limit);

    /**
     * Up to {@code limit} ids, ascending and greater than {@code afterId}, of visible traces whose
     * count or totals are unknown.
     */
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
