package dev.tracestore;

/**
 * The outcome of {@link TraceStore#deleteTrace(long)}.
 *
 * @param traceId         the trace asked for
 * @param existed         whether it existed (or was already being deleted) when asked
 * @param messagesDeleted how many message rows this call deleted
 */
public record DeleteResult(long traceId, boolean existed, long messagesDeleted) {
}
