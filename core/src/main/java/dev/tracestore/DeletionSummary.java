package dev.tracestore;

/**
 * The outcome of a deletion of several traces
 * ({@link TraceStore#deleteTracesInNamespace(String)}, {@link TraceStore#resumeDeletions()});
 * for one trace by id, {@link DeleteResult} says whether it existed.
 *
 * @param tracesDeleted   how many traces were removed
 * @param messagesDeleted how many message rows were removed
 */
public record DeletionSummary(long tracesDeleted, long messagesDeleted) {
}
