package dev.tracestore;

/**
 * The outcome of {@link TraceStore#recalculateMessageCount(long)}, derived by the core from the
 * storage's {@link dev.tracestore.spi.RecountResult} (see there why the two are separate).
 *
 * @param traceId      the trace recounted
 * @param count        the exact number of its messages, now stored as its count
 * @param drift        the stored count minus the exact count before the recount (positive
 *                     after re-sent messages); 0 when the stored count was unknown
 * @param wasUnknown   whether the stored count was unknown (null) before the recount
 */
public record Recount(long traceId, long count, long drift, boolean wasUnknown) {
}
