package dev.tracestore.spi;

/**
 * What a storage recount found and stored.
 *
 * @param previous the count stored before, or null when it was unknown
 * @param actual   the number of message rows, now stored as the count
 */
public record RecountResult(Long previous, long actual) {
}
