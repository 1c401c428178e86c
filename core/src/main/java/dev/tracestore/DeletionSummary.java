package dev.tracestore;

/**
 * The outcome of a deletion of several traces
 * ({@link TraceStore#deleteTracesInNamespace(String)}, {@link TraceStore#resumeDeletions()}).
 *
 * @param tracesDeleted   how many traces were removed
 * @param messagesDeleted how many message rows were removed
 */
public record DeletionSummary(long tracesDeleted, long messagesDeleted) {
}
