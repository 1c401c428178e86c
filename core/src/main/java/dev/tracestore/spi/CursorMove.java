package dev.tracestore.spi;

/**
 * An ingest cursor's compare-and-set, applied by {@link TraceStorage#writeMessages} in the one
 * write to the trace row: the write matches only if the trace holds {@code expected} (null
 * matching a trace that holds none), and sets {@code next}.
 *
 * @param expected the cursor the trace must hold, or null for none
 * @param next     the cursor it holds after the write; never null
 */
public record CursorMove(String expected, String next) {
    public CursorMove {
        if (next == null) {
            throw new IllegalArgumentException("next: must not be null");
        }
    }
}
