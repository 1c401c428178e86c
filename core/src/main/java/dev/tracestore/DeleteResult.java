package dev.tracestore;

/**
 * The outcome of {@link TraceStore#deleteTrace(long)}. Separate from {@link DeletionSummary}
 * because a deletion by id answers a different question: whether that trace existed (deleting a
 * missing trace is not an error), where a summary counts the traces it found.
 *
 * @param traceId         the trace asked for
 * @param existed         whether it existed (or was already being deleted) when asked
 * @param messagesDeleted how many message rows this call deleted
 */
public record DeleteResult(long traceId, boolean existed, long messagesDeleted) {
}
