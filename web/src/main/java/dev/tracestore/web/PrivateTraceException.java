package dev.tracestore.web;

import dev.tracestore.TraceStoreException;

/**
 * Metadata or an image was asked for a trace that is not shareable: its visibility is
 * {@link dev.tracestore.Visibility#PRIVATE} (or unknown). A private trace has no share page:
 * serve the same 404 as for an unknown id, so that a stranger cannot even tell it exists. The
 * message carries the store id only, never the title, text or count.
 */
public final class PrivateTraceException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    private final long traceId;

    /** The trace with store id {@code traceId} is private. */
    public PrivateTraceException(long traceId) {
        super("trace " + traceId + " is private: it has no share page, metadata or image");
        this.traceId = traceId;
    }

    /** The store id of the private trace. */
    public long traceId() {
        return traceId;
    }
}
