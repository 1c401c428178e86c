package dev.tracestore.spi;

import dev.tracestore.TraceTotals;

/**
 * What a storage recount found and stored: the two numbers only the storage can know, read
 * under its lock. The core turns them into the API's {@link dev.tracestore.Recount}, which adds
 * what the policy derives from them (the drift, whether the count was unknown) and the trace id;
 * a storage therefore never computes drift, and an application never sees a storage's raw answer.
 *
 * @param previous       the count stored before, or null when it was unknown
 * @param actual         the number of message rows, now stored as the count
 * @param previousTotals the totals stored before, or null when they were unknown
 * @param actualTotals   the totals of the message rows, now stored
 */
public record RecountResult(Long previous, long actual, TraceTotals previousTotals, TraceTotals actualTotals) {
}
