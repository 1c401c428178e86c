package dev.tracestore;

/**
 * Told what a {@link TraceStore} did and how long it took, for metrics
 * ({@code tracestore-micrometer} binds one to a Micrometer registry). Set with
 * {@link TraceStore.Builder#listener}. Each method is called on the thread that did the work,
 * after it, whatever its outcome; it must be quick, and what it throws is logged and dropped.
 * The events carry counts, outcomes and durations only: never a trace id, a namespace or
 * message content. Every method does nothing unless overridden.
 */
public interface TraceStoreListener {

    /** A listener that is told nothing. */
    TraceStoreListener NONE = new TraceStoreListener() {};

    /** A call that writes messages: {@link TraceStore#upsertMessage}, {@link TraceStore#upsertMessagesBatch} or {@link TraceStore#appendMessages}. */
    default void written(Write write) {
    }

    /** A recount: {@link TraceStore#recalculateMessageCount} (also the drift guard's), or {@link TraceStore#truncateMessages}. */
    default void recounted(Recounted recount) {
    }

    /** A trace deleted, or an interrupted deletion finished. */
    default void deleted(Deleted deletion) {
    }

    /** A pass of the drift guard ({@link CountReconciler}) that recounted something. */
    default void reconciled(CountReconciler.Report pass, long nanos) {
    }

    /** A {@link TraceStore#backfillMessageCounts} run. */
    default void backfilled(BackfillResult result, long nanos) {
    }

    /** Which call wrote. */
    enum Operation {
        /** {@link TraceStore#upsertMessage}. */
        MESSAGE,
        /** {@link TraceStore#upsertMessagesBatch}. */
        BATCH,
        /** {@link TraceStore#appendMessages}. */
        APPEND
    }

    /** How a call ended. */
    enum Outcome {
        /** It did what it was asked. */
        SUCCESS,
        /** The trace held another ingest cursor: nothing was written. */
        CURSOR_CONFLICT,
        /** The trace is absent or being deleted: nothing was written. */
        NOT_FOUND,
        /** The input broke a limit: nothing was written. */
        INVALID,
        /** The storage failed. */
        FAILURE;

        /** The outcome a call that threw {@code e} had. */
        static Outcome of(RuntimeException e) {
            if (e instanceof IngestCursorConflictException) {
                return CURSOR_CONFLICT;
            }
            if (e instanceof TraceNotFoundException) {
                return NOT_FOUND;
            }
            return e instanceof IllegalArgumentException ? INVALID : FAILURE;
        }
    }

    /**
     * A write.
     *
     * @param messages how many messages it stored (distinct ids; the trace's count grew by as
     *                 many): 0 unless it succeeded
     * @param usage    the token usage of those messages; {@link TokenUsage#NONE} unless it succeeded
     * @param nanos    how long the call took
     */
    record Write(Operation operation, Outcome outcome, int messages, TokenUsage usage, long nanos) {
    }

    /**
     * A recount.
     *
     * @param truncation whether it was {@link TraceStore#truncateMessages}
     * @param drift      the count stored before minus the exact one (0 when unknown before, or on failure)
     * @param corrected  whether it changed the stored count or totals
     */
    record Recounted(boolean truncation, Outcome outcome, long drift, boolean corrected, long nanos) {
    }

    /**
     * A deletion.
     *
     * @param messages how many messages it removed
     */
    record Deleted(Outcome outcome, long messages, long nanos) {
    }
}
