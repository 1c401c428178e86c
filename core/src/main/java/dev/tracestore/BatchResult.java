package dev.tracestore;

/**
 * What an upsert applied.
 *
 * @param traceId        the trace written to
 * @param received       how many messages the call was given
 * @param countIncrement how many distinct external ids were written, which is what the
 *                       trace's message count grew by; duplicates within one call collapsed
 *                       to the last occurrence
 */
public record BatchResult(long traceId, int received, int countIncrement) {

    /** How many messages of the call were duplicates of a later one in the same call. */
    public int collapsedDuplicates() {
        return received - countIncrement;
    }
}
