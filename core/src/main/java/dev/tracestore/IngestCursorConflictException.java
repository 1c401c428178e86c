package dev.tracestore;

import dev.tracestore.internal.Checks;

/**
 * An append stated an ingest cursor that the trace does not hold: nothing of it was written.
 * Either another client appended first, or this batch landed before and its acknowledgement
 * was lost; {@link #storedCursor()} tells which ({@code storedCursor().equals(newCursor)}: it
 * landed, do not send it again).
 */
public final class IngestCursorConflictException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    private final long traceId;
    private final String expectedCursor;
    private final String storedCursor;

    /** The trace {@code traceId} holds {@code storedCursor} where the append expected {@code expectedCursor}. */
    public IngestCursorConflictException(long traceId, String expectedCursor, String storedCursor) {
        super("trace " + traceId + ": the append expected ingest cursor " + Checks.quote(expectedCursor)
                + " but the trace holds " + Checks.quote(storedCursor) + "; nothing was written");
        this.traceId = traceId;
        this.expectedCursor = expectedCursor;
        this.storedCursor = storedCursor;
    }

    public long traceId() {
        return traceId;
    }

    /** The cursor the append expected, or null for a trace never appended to with a cursor. */
    public String expectedCursor() {
        return expectedCursor;
    }

    /** The cursor the trace holds, or null if it holds none. */
    public String storedCursor() {
        return storedCursor;
    }
}
