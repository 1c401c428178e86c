package dev.tracestore;

/**
 * The outcome of {@link TraceStore#backfillMessageCounts(int)}.
 *
 * @param tracesFixed how many traces had an unknown count and now have the exact one
 * @param batches     how many batches of traces were examined
 */
public record BackfillResult(long tracesFixed, long batches) {
}
