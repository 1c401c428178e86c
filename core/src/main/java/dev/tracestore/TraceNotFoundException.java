package dev.tracestore;

import dev.tracestore.internal.Checks;

/**
 * The trace does not exist, or it is being deleted. Nothing was written.
 */
public final class TraceNotFoundException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    private final long traceId;

    /** The trace with store id {@code traceId} is absent or being deleted. */
    public TraceNotFoundException(long traceId) {
        super("trace " + traceId + " does not exist or is being deleted");
        this.traceId = traceId;
    }

    /** The trace keyed by {@code namespace} and {@code externalId} is being deleted. */
    public TraceNotFoundException(long traceId, String namespace, String externalId) {
        super("trace " + traceId + " (namespace " + Checks.quote(namespace) + ", external id "
                + Checks.quote(externalId) + ") is being deleted; retry once the deletion completes");
        this.traceId = traceId;
    }

    /** The store id of the trace that was not found. */
    public long traceId() {
        return traceId;
    }
}
