package dev.tracestore;

import dev.tracestore.internal.Checks;
import dev.tracestore.internal.Cursors;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import dev.tracestore.spi.TraceStorage;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores agent traces and their messages, and keeps each trace's message count cached on the
 * trace, updated optimistically: a batch adds the number of distinct messages it carries in
 * one write to the trace row, without asking which messages already existed.
 *
 * <p>The count therefore drifts upward when messages are re-sent, by design;
 * {@link #recalculateMessageCount(long)} repairs it. Every read shows the cached count, so a
 * list and a detail of one trace always agree.
 *
 * <p>Build one with {@link #builder()}. Instances are immutable and thread-safe; share one per
 * storage. Instants are stored with microsecond precision.
 *
 * <p>Text is any well-formed UTF-16: every string (ids, attributes, message text, model and
 * parts) is refused with an {@link IllegalArgumentException} if it holds an unpaired surrogate,
 * which is not a character, cannot be encoded in UTF-8 and would otherwise be stored as
 * {@code ?} by some databases and faithfully by others. Every method throws
 * {@link IllegalArgumentException} naming the field, the rule and the value for bad input,
 * {@link TraceNotFoundException} for an absent trace, and {@link StorageException} when the
 * storage fails; in each case nothing is written.
 */
public final class TraceStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceStore.class);
    /** How many trace ids one round of a multi-trace deletion or a backfill reads. */
    private static final int ID_PAGE = 100;
    /** The longest ingest cursor, in characters (the shipped schemas' column holds 1000). */
    public static final int MAX_CURSOR_LENGTH = 1000;

    private final TraceStorage storage;
    private final Clock clock;
    private final int maxBatchSize;
    private final int maxIdLength;
    private final int deletionChunkSize;
    private final CountReconciler reconciler;
    private final TraceStoreListener listener;
    private final Cursors cursors;
    private final Batches batches;
    private final ShareLinks shares;

    private TraceStore(Builder b) {
        this.storage = b.storage;
        this.clock = b.clock;
        this.maxBatchSize = b.maxBatchSize;
        this.maxIdLength = b.maxIdLength;
        this.deletionChunkSize = b.deletionChunkSize;
        this.listener = b.listener;
        this.batches = new Batches(b.maxIdLength, b.maxTextLength);
        this.shares = new ShareLinks(b.storage);
        this.cursors = b.cursorSecret == null ? Cursors.random() : Cursors.keyedWith(b.cursorSecret);
        this.reconciler = b.reconcile == null ? null : new CountReconciler(this, clock, b.reconcile);
    }

    /** A builder with the default limits and the system UTC clock; a storage is required. */
    public static Builder builder() {
        return new Builder();
    }

    // ---------------------------------------------------------------- traces

    /**
     * Creates the trace keyed by the input's namespace and external id, or updates it. A new
     * trace starts with message count 0 and, unless given, visibility {@link Visibility#PRIVATE}.
     * Attributes left null in {@code input} keep their stored values. Sets {@code updatedAt}.
     *
     * @return the trace as stored
     * @throws IllegalArgumentException if an attribute is over its length limit
     * @throws TraceNotFoundException   if the key belongs to a trace being deleted
     */
    public TraceDetail upsertTrace(TraceInput input) {
        Checks.notNull("input", input);
        Checks.id("namespace", input.namespace(), maxIdLength);
        Checks.id("externalId", input.externalId(), maxIdLength);
        Checks.maxLength("agentId", input.agentId(), maxIdLength);
        Checks.maxLength("model", input.model(), maxIdLength);
        Checks.maxLength("projectName", input.projectName(), maxIdLength);
        TraceInput stored = input.createdAt() == null ? input : input.withCreatedAt(micros(input.createdAt()));
        return detail(storage.upsertTrace(stored, now()));
    }

    /** The trace with this id, unless it is absent or being deleted. */
    public Optional<TraceDetail> getTrace(long traceId) {
        return storage.findTrace(traceId).flatMap(this::resolved);
    }

    /** The trace with this namespace and external id, unless it is absent or being deleted. */
    public Optional<TraceDetail> findTrace(String namespace, String externalId) {
        Checks.id("namespace", namespace, maxIdLength);
        Checks.id("externalId", externalId, maxIdLength);
        return storage.findTrace(namespace, externalId).flatMap(this::resolved);
    }

    /**
     * One page of a namespace's traces, most recently updated first, each with its cached
     * message count. Keyset-paginated: pass {@link Page#nextCursor()} to
     * {@link TraceQuery#after(String)} for the next page; a page never repeats or skips a trace
     * that was not updated in between.
     *
     * @throws IllegalArgumentException if the cursor is malformed or belongs to another query
     */
    public Page<TraceSummary> listTraces(TraceQuery query) {
        Checks.notNull("query", query);
        Checks.id("namespace", query.namespace(), maxIdLength);
        TraceListQuery scope = new TraceListQuery(query.namespace(), query.agentId(), query.visibility(), null,
                query.limit() + 1);
        TraceListQuery request = query.cursor() == null ? scope
                : new TraceListQuery(scope.namespace(), scope.agentId(), scope.visibility(),
                        cursors.traces(scope, query.cursor()), scope.limit());
        List<StoredTrace> rows = storage.listTraces(request);
        List<TraceSummary> items = new ArrayList<>(Math.min(rows.size(), query.limit()));
        for (StoredTrace row : rows.subList(0, Math.min(rows.size(), query.limit()))) {
            resolved(row).ifPresent(d -> items.add(d.toSummary()));
        }
        String next = null;
        if (rows.size() > query.limit()) {
            StoredTrace last = rows.get(query.limit() - 1);
            next = cursors.traces(scope, new TraceListQuery.Position(last.updatedAt(), last.id()));
        }
        return new Page<>(items, next);
    }

    // ---------------------------------------------------------------- messages

    /**
     * Upserts one message: the trace's count grows by one, in exactly one write to the trace
     * row, whether or not the message existed before.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    public BatchResult upsertMessage(long traceId, MessageInput message) {
        Checks.notNull("message", message);
        return write(TraceStoreListener.Operation.MESSAGE, traceId, List.of(message), null);
    }

    /**
     * Upserts a batch of messages and adds the number of distinct external ids in it to the
     * trace's count, as one atomic storage operation with exactly one write to the trace row.
     * Messages sharing an external id collapse to the last of them. Nobody asks whether a
     * message already existed: a re-sent message counts again (drift), until
     * {@link #recalculateMessageCount(long)}. An empty batch writes nothing.
     *
     * @param messages at most {@link Builder#maxBatchSize(int)} messages, none null
     * @throws IllegalArgumentException if the batch breaks a limit, or a message does
     *                                  ({@link InvalidMessageException}, which says which); nothing is written
     * @throws TraceNotFoundException   if the trace is absent or being deleted; nothing is written
     */
    public BatchResult upsertMessagesBatch(long traceId, List<MessageInput> messages) {
        return write(TraceStoreListener.Operation.BATCH, traceId, messages, null);
    }

    /**
     * Appends a batch exactly once: as {@link #upsertMessagesBatch}, and in the same single
     * write to the trace row, compares the trace's ingest cursor with {@code expectedCursor}
     * and sets it to {@code newCursor}. A cursor is opaque to the store: where the trace's
     * source has been read up to (a byte offset, a line number, an event id). If the trace
     * holds another cursor, nothing is written and {@link IngestCursorConflictException} says
     * which it holds: a client that lost the acknowledgement of a batch and sends it again learns
     * that it landed (the stored cursor is its {@code newCursor}) instead of counting it twice,
     * and of two clients appending from the same cursor only one succeeds. An empty batch
     * moves only the cursor. {@link #upsertTrace} never changes the cursor; a batch without
     * one leaves it as it is.
     *
     * @param expectedCursor the cursor the trace must hold, or null for a trace that holds none
     * @param newCursor      the cursor to set: 1 to {@value #MAX_CURSOR_LENGTH} characters, no
     *                       control characters or unpaired surrogates
     * @throws IllegalArgumentException      if a cursor, the batch or a message breaks a limit (a message:
     *                                       {@link InvalidMessageException}); nothing is written
     * @throws IngestCursorConflictException if the trace holds another cursor; nothing is written
     * @throws TraceNotFoundException        if the trace is absent or being deleted; nothing is written
     */
    public BatchResult appendMessages(long traceId, List<MessageInput> messages, String expectedCursor,
            String newCursor) {
        if (newCursor == null) {
            throw new IllegalArgumentException("newCursor: must not be null; an append states the cursor it advances to"
                    + " (use upsertMessagesBatch for a batch without one)");
        }
        return write(TraceStoreListener.Operation.APPEND, traceId, messages, cursorMove(expectedCursor, newCursor));
    }

    private static CursorMove cursorMove(String expectedCursor, String newCursor) {
        Checks.notNull("newCursor", newCursor);
        Checks.id("newCursor", newCursor, MAX_CURSOR_LENGTH);
        if (expectedCursor != null) {
            Checks.id("expectedCursor", expectedCursor, MAX_CURSOR_LENGTH);
        }
        return new CursorMove(expectedCursor, newCursor);
    }

    /** A write, told to the listener with its outcome. */
    private BatchResult write(TraceStoreListener.Operation operation, long traceId, List<MessageInput> messages,
            CursorMove cursor) {
        if (listener == TraceStoreListener.NONE) {
            return write(traceId, messages, cursor).result();
        }
        long start = System.nanoTime();
        Written w;
        try {
            w = write(traceId, messages, cursor);
        } catch (RuntimeException e) {
            written(new TraceStoreListener.Write(operation, TraceStoreListener.Outcome.of(e), 0, TokenUsage.NONE,
                    System.nanoTime() - start));
            throw e;
        }
        written(new TraceStoreListener.Write(operation, TraceStoreListener.Outcome.SUCCESS, w.result().countIncrement(),
                w.totals().tokens(), System.nanoTime() - start));
        return w.result();
    }

    /** The hot path's own {@link #tell}: no lambda per batch. */
    private void written(TraceStoreListener.Write write) {
        try {
            listener.written(write);
        } catch (RuntimeException e) {
            log.warn("TraceStore listener failed", e);
        }
    }

    private record Written(BatchResult result, TraceTotals totals) {
    }

    private Written write(long traceId, List<MessageInput> messages, CursorMove cursor) {
        Checks.notNull("messages", messages);
        if (messages.size() > maxBatchSize) {
            throw new IllegalArgumentException("messages: a batch must hold at most " + maxBatchSize
                    + " messages; got " + messages.size());
        }
        Instant now = now();
        List<Message> sorted = batches.prepare(messages, now);
        if (sorted.isEmpty() && cursor == null) {
            requireTrace(traceId);
            return new Written(new BatchResult(traceId, 0, 0), TraceTotals.NONE);
        }
        TraceTotals totals = TraceTotals.of(sorted);
        storage.writeMessages(traceId, sorted, sorted.size(), totals, cursor, now);
        if (reconciler != null) {
            reconciler.written(traceId);
        }
        return new Written(new BatchResult(traceId, messages.size(), sorted.size()), totals);
    }

    /**
     * One page of a trace's messages in conversation order (sequence, then external id).
     *
     * @param cursor the previous page's {@link Page#nextCursor()}, or null for the first page
     * @param limit  1 to 1000
     * @throws TraceNotFoundException   if the trace is absent or being deleted
     * @throws IllegalArgumentException if the cursor is malformed or belongs to another trace
     */
    public Page<Message> listMessages(long traceId, String cursor, int limit) {
        Checks.inRange("limit", limit, 1, 1000);
        MessagePosition after = cursor == null ? null : cursors.messages(traceId, cursor);
        requireTrace(traceId);
        List<Message> rows = storage.listMessages(traceId, after, limit + 1);
        if (rows.size() <= limit) {
            return new Page<>(rows, null);
        }
        List<Message> page = rows.subList(0, limit);
        return new Page<>(page, cursors.messages(traceId, MessagePosition.of(page.get(limit - 1))));
    }

    // ---------------------------------------------------------------- counts

    /**
     * Sets the trace's count to the exact number of its messages, and its totals (tool calls,
     * tokens, latest message) to its messages' sums, repairing drift. Safe under concurrent
     * batches: an increment that commits while the recount runs is never erased. Logs one INFO
     * line when it corrected the count, and one when it corrected the totals.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    public Recount recalculateMessageCount(long traceId) {
        long start = System.nanoTime();
        RecountResult r;
        try {
            r = storage.recount(traceId);
        } catch (RuntimeException e) {
            tell(l -> l.recounted(new TraceStoreListener.Recounted(false, TraceStoreListener.Outcome.of(e), 0, false,
                    System.nanoTime() - start)));
            throw e;
        }
        Recount recount = recount(traceId, r);
        tell(l -> l.recounted(new TraceStoreListener.Recounted(false, TraceStoreListener.Outcome.SUCCESS, recount.drift(),
                recount.corrected(), System.nanoTime() - start)));
        long drift = recount.drift();
        if (drift != 0) {
            log.info("Corrected message count of trace {}: stored {}, actual {}", traceId, r.previous(), r.actual());
        }
        if (r.previousTotals() != null && !r.previousTotals().equals(r.actualTotals())) {
            log.info("Corrected totals of trace {}: stored {}, actual {}", traceId, r.previousTotals(), r.actualTotals());
        }
        return recount;
    }

    /** The storage's recount as the API states it: the drift is the count stored before minus the exact one. */
    private static Recount recount(long traceId, RecountResult r) {
        long drift = r.previous() == null ? 0 : r.previous() - r.actual();
        return new Recount(traceId, r.actual(), drift, r.previous() == null, r.actualTotals(), r.previousTotals());
    }

    /**
     * Removes the trace's messages from sequence {@code fromSequence} on and sets its count and
     * totals to those of the messages that remain, exactly, and its ingest cursor from
     * {@code expectedCursor} to {@code newCursor}, as one atomic operation: for a source that
     * was rewound, truncated or replaced since it was synced (the trace keeps its id, and so its
     * share link). As safe under concurrent batches as {@link #recalculateMessageCount}. Logs
     * one INFO line with what it removed.
     *
     * @param fromSequence   the first sequence removed; {@link Long#MIN_VALUE} removes every message
     * @param expectedCursor the cursor the trace must hold, or null for a trace that holds none
     * @param newCursor      the cursor it holds after: 1 to {@value #MAX_CURSOR_LENGTH} characters
     * @return the recount of the messages that remain (its drift: the count stored before minus the messages that remain)
     * @throws IllegalArgumentException      if a cursor breaks a limit; nothing is removed
     * @throws IngestCursorConflictException if the trace holds another cursor; nothing is removed
     * @throws TraceNotFoundException        if the trace is absent or being deleted; nothing is removed
     */
    public Recount truncateMessages(long traceId, long fromSequence, String expectedCursor, String newCursor) {
        CursorMove move = cursorMove(expectedCursor, newCursor);
        long start = System.nanoTime();
        RecountResult r;
        try {
            r = storage.truncateMessages(traceId, fromSequence, move, now());
        } catch (RuntimeException e) {
            tell(l -> l.recounted(new TraceStoreListener.Recounted(true, TraceStoreListener.Outcome.of(e), 0, false,
                    System.nanoTime() - start)));
            throw e;
        }
        tell(l -> l.recounted(new TraceStoreListener.Recounted(true, TraceStoreListener.Outcome.SUCCESS,
                r.previous() == null ? 0 : r.previous() - r.actual(), true, System.nanoTime() - start)));
        log.info("Truncated trace {} from sequence {}: count {} before, {} messages remain", traceId, fromSequence,
                r.previous(), r.actual());
        if (reconciler != null) {
            reconciler.written(traceId);
        }
        return recount(traceId, r);
    }

    /**
     * Fills unknown (null) message counts and totals, left by rows written before counts or
     * totals existed (schema version 1), with the exact ones, one trace at a time. Resumable: an interrupted backfill leaves the
     * traces it finished fixed, and a new call carries on with the rest.
     *
     * @param batchSize how many traces to read per round, 1 to 10,000
     */
    public BackfillResult backfillMessageCounts(int batchSize) {
        Checks.inRange("batchSize", batchSize, 1, 10_000);
        long start = System.nanoTime();
        long fixed = 0;
        long batches = 0;
        long afterId = 0;
        List<Long> ids;
        while (!(ids = storage.tracesWithUnknownCount(afterId, batchSize)).isEmpty()) {
            batches++;
            for (long id : ids) {
                try {
                    RecountResult r = storage.recount(id);
                    if (r.previous() == null || r.previousTotals() == null) {
                        fixed++;
                    }
                } catch (TraceNotFoundException deletedMeanwhile) {
                    // nothing to fix
                }
                afterId = id;
            }
        }
        log.debug("Backfilled the message count of {} traces in {} batches", fixed, batches);
        BackfillResult result = new BackfillResult(fixed, batches);
        tell(l -> l.backfilled(result, System.nanoTime() - start));
        return result;
    }

    // ---------------------------------------------------------------- share links

    /**
     * The token that a public or unlisted trace's share pages are addressed by, in place of its
     * id: 40 URL-safe characters holding 240 random bits, made the first time it is asked for
     * and the same afterwards, until {@link #revokeShareToken revoked}. Making the trace private
     * revokes it; sharing it again makes a new one.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     * @throws IllegalStateException  if the trace is private
     */
    public String shareToken(long traceId) {
        return shares.token(traceId);
    }

    /**
     * Revokes the trace's share token: its links find nothing from now on, and
     * {@link #shareToken} makes a new one. Does nothing if it has none.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted
     */
    public void revokeShareToken(long traceId) {
        shares.revoke(traceId);
    }

    /**
     * The public or unlisted trace that {@code token} shares. Empty for anything else (a
     * malformed, unknown or revoked token, a private or deleted trace), which a share page answers
     * with the same 404. A well-formed token costs one lookup of its key half, the same call for a
     * miss as for a hit (one indexed read in memory and on JDBC; see the Cassandra storage for its
     * reads), and its secret half is compared in constant time; a malformed one costs none.
     */
    public Optional<TraceDetail> findSharedTrace(String token) {
        return shares.find(token).flatMap(this::resolved);
    }

    // ---------------------------------------------------------------- deletion

    /**
     * Deletes the trace and all its messages, with no count bookkeeping. Bounded: the trace is
     * hidden first (from then on it is not found and refuses writes), its messages go in
     * chunks of {@link Builder#deletionChunkSize(int)}, each in its own short transaction, and
     * the trace row goes last. If the process dies midway, {@link #resumeDeletions()} finishes.
     *
     * @return whether the trace existed and how many messages this call deleted
     */
    public DeleteResult deleteTrace(long traceId) {
        if (!storage.markDeleting(traceId)) {
            return new DeleteResult(traceId, false, 0);
        }
        return new DeleteResult(traceId, true, finishDeletion(traceId));
    }

    /** Deletes every trace of the namespace, one after another, as {@link #deleteTrace(long)} does. */
    public DeletionSummary deleteTracesInNamespace(String namespace) {
        Checks.id("namespace", namespace, maxIdLength);
        long traces = 0;
        long messages = 0;
        long afterId = 0;
        List<Long> ids;
        while (!(ids = storage.traceIds(namespace, afterId, ID_PAGE)).isEmpty()) {
            for (long id : ids) {
                DeleteResult r = deleteTrace(id);
                if (r.existed()) {
                    traces++;
                    messages += r.messagesDeleted();
                }
                afterId = id;
            }
        }
        return new DeletionSummary(traces, messages);
    }

    /**
     * Finishes every deletion that was started and interrupted (a crash, a lost connection).
     * Safe to call at any time, also while other deletions run.
     */
    public DeletionSummary resumeDeletions() {
        long traces = 0;
        long messages = 0;
        List<Long> ids;
        while (!(ids = storage.deletingTraces(ID_PAGE)).isEmpty()) {
            for (long id : ids) {
                messages += finishDeletion(id);
                traces++;
            }
        }
        if (traces > 0) {
            log.info("Resumed {} interrupted trace deletions ({} messages)", traces, messages);
        }
        return new DeletionSummary(traces, messages);
    }

    private long finishDeletion(long traceId) {
        long start = System.nanoTime();
        long deleted = 0;
        try {
            int n;
            do {
                n = storage.deleteMessages(traceId, deletionChunkSize);
                deleted += n;
            } while (n >= deletionChunkSize);
            storage.removeTrace(traceId);
        } catch (RuntimeException e) {
            long removed = deleted;
            tell(l -> l.deleted(new TraceStoreListener.Deleted(TraceStoreListener.Outcome.of(e), removed,
                    System.nanoTime() - start)));
            throw e;
        }
        long removed = deleted;
        tell(l -> l.deleted(new TraceStoreListener.Deleted(TraceStoreListener.Outcome.SUCCESS, removed,
                System.nanoTime() - start)));
        log.debug("Deleted trace {} and {} messages", traceId, deleted);
        return deleted;
    }

    /** The drift guard, when {@link Builder#reconcileCounts} enabled it. */
    public Optional<CountReconciler> reconciler() {
        return Optional.ofNullable(reconciler);
    }

    /**
     * Stops the background work this store started (the {@link CountReconciler}). The storage is
     * the application's and stays open. Idempotent; without a reconciler it does nothing.
     */
    @Override
    public void close() {
        if (reconciler != null) {
            reconciler.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Tells the listener; a listener that fails is logged, never the caller's failure. */
    void tell(java.util.function.Consumer<TraceStoreListener> event) {
        if (listener == TraceStoreListener.NONE) {
            return;
        }
        try {
            event.accept(listener);
        } catch (RuntimeException e) {
            log.warn("TraceStore listener failed", e);
        }
    }

    private Instant now() {
        return micros(clock.instant());
    }

    private static Instant micros(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MICROS);
    }

    private void requireTrace(long traceId) {
        if (storage.findTrace(traceId).isEmpty()) {
            throw new TraceNotFoundException(traceId);
        }
    }

    private TraceDetail detail(StoredTrace t) {
        long count = t.messageCount() != null ? t.messageCount() : storage.countMessages(t.id());
        TraceTotals totals = t.totals() != null ? t.totals() : storage.sumMessages(t.id());
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(),
                t.visibility(), t.projectName(), t.createdAt(), t.updatedAt(), count, totals.toolCalls(),
                totals.tokens(), totals.lastMessageAt(), t.ingestCursor());
    }

    /** The detail of a stored row; empty if its count or totals are unknown and the trace vanished meanwhile. */
    private Optional<TraceDetail> resolved(StoredTrace t) {
        try {
            return Optional.of(detail(t));
        } catch (TraceNotFoundException deletedMeanwhile) {
            return Optional.empty();
        }
    }

    /**
     * Builds a {@link TraceStore}. Not thread-safe; {@link #build()} validates every setting
     * and the store it returns no longer depends on the builder.
     */
    public static final class Builder {
        private TraceStorage storage;
        private Clock clock = Clock.systemUTC();
        private int maxBatchSize = 1000;
        private int maxTextLength = 1 << 20;
        private int maxIdLength = 255;
        private int deletionChunkSize = 1000;
        private CountReconciler.Settings reconcile;
        private TraceStoreListener listener = TraceStoreListener.NONE;
        private byte[] cursorSecret;

        private Builder() {}

        /** The storage adapter; required. */
        public Builder storage(TraceStorage storage) {
            this.storage = storage;
            return this;
        }

        /** The clock that stamps created and updated instants; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** The most messages one batch may hold, 1 to 100,000; default 1000. */
        public Builder maxBatchSize(int maxBatchSize) {
            this.maxBatchSize = maxBatchSize;
            return this;
        }

        /** The longest message text (and parts JSON), in UTF-16 characters, 1 to 2^30; default 1,048,576. */
        public Builder maxTextLength(int maxTextLength) {
            this.maxTextLength = maxTextLength;
            return this;
        }

        /**
         * The longest id, agent, model or project name, in characters, 1 to 255; default 255
         * (the width of the shipped schemas' id columns).
         */
        public Builder maxIdLength(int maxIdLength) {
            this.maxIdLength = maxIdLength;
            return this;
        }

        /** How many messages one deletion transaction removes, 1 to 100,000; default 1000. */
        public Builder deletionChunkSize(int deletionChunkSize) {
            this.deletionChunkSize = deletionChunkSize;
            return this;
        }

        /**
         * The secret the store authenticates its pagination cursors with (HMAC-SHA256), so that a
         * cursor a client made up or altered is rejected, even one naming the same query. By
         * default a random one per store: cursors then hold only for this instance; give stores
         * that serve the same clients (behind one load balancer, or across restarts) the same
         * secret of at least 16 bytes, kept as secret as a session key.
         *
         * @throws IllegalArgumentException if it is shorter than 16 bytes
         */
        public Builder cursorSecret(byte[] secret) {
            Cursors.keyedWith(secret); // checks it now, where the caller passes it
            this.cursorSecret = secret.clone();
            return this;
        }

        /**
         * Tells {@code listener} what the store does, for metrics (default
         * {@link TraceStoreListener#NONE}). One listener; an application with several combines them.
         */
        public Builder listener(TraceStoreListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs a {@link CountReconciler} with these settings from {@link #build()} until
         * {@link TraceStore#close()}; null (the default) runs none.
         */
        public Builder reconcileCounts(CountReconciler.Settings settings) {
            this.reconcile = settings;
            return this;
        }

        /**
         * A store with these settings.
         *
         * @throws IllegalArgumentException naming the setting and the value, if one is invalid
         */
        public TraceStore build() {
            Checks.notNull("storage", storage);
            Checks.notNull("clock", clock);
            Checks.inRange("maxBatchSize", maxBatchSize, 1, 100_000);
            Checks.inRange("maxTextLength", maxTextLength, 1, 1 << 30);
            Checks.inRange("maxIdLength", maxIdLength, 1, 255);
            Checks.inRange("deletionChunkSize", deletionChunkSize, 1, 100_000);
            return new TraceStore(this);
        }
    }
}
