package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * Tokens a model used: for one message as its agent reported it, or summed over a trace. Each
 * count is 0 when the agent did not report it.
 *
 * @param inputTokens      prompt tokens read without the cache
 * @param outputTokens     tokens written
 * @param cacheReadTokens  prompt tokens read from the cache
 * @param cacheWriteTokens prompt tokens written to the cache
 */
@JsonPropertyOrder({"inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens"})
public record TokenUsage(long inputTokens, long outputTokens, long cacheReadTokens, long cacheWriteTokens) {
    /** No tokens. */
    public static final TokenUsage NONE = new TokenUsage(0, 0, 0, 0);
    /**
     * The most tokens of one kind one message may report, 10^9: hundreds of times the largest
     * context window, and small enough that ten million messages' sums cannot overflow.
     */
    public static final long MAX_PER_MESSAGE = 1_000_000_000L;

    /** Checks that no count is negative. */
    public TokenUsage {
        requireNonNegative("inputTokens", inputTokens);
        requireNonNegative("outputTokens", outputTokens);
        requireNonNegative("cacheReadTokens", cacheReadTokens);
        requireNonNegative("cacheWriteTokens", cacheWriteTokens);
    }

    /** Input and output tokens, no cache. */
    public static TokenUsage of(long inputTokens, long outputTokens) {
        return new TokenUsage(inputTokens, outputTokens, 0, 0);
    }

    /** This usage with the cache's reads and writes. */
    public TokenUsage withCache(long cacheReadTokens, long cacheWriteTokens) {
        return new TokenUsage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens);
    }

    /** Every token of the four kinds. */
    public long total() {
        return inputTokens + outputTokens + cacheReadTokens + cacheWriteTokens;
    }

    /** The sum of this and {@code other}. */
    public TokenUsage plus(TokenUsage other) {
        return new TokenUsage(Math.addExact(inputTokens, other.inputTokens), Math.addExact(outputTokens, other.outputTokens),
                Math.addExact(cacheReadTokens, other.cacheReadTokens), Math.addExact(cacheWriteTokens, other.cacheWriteTokens));
    }

    private static void requireNonNegative(String field, long value) {
        if (value < 0) {
            throw new IllegalArgumentException(field + ": must not be negative; got " + value);
        }
    }
}
