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
 * @param totals       the exact totals of its messages, now stored
 * @param previousTotals the totals stored before the recount, or null when they were unknown;
 *                     each total's drift is its previous value minus its exact one
 */
public record Recount(long traceId, long count, long drift, boolean wasUnknown, TraceTotals totals,
        TraceTotals previousTotals) {

    /** Whether the recount changed anything: the count or a total drifted, or either was unknown. */
    public boolean corrected() {
        return drift != 0 || wasUnknown || !totals.equals(previousTotals);
    }
}
