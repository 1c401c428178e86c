package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceTotals;
import java.time.Instant;

/**
 * The six numbers a trace keeps beside each other: its message count and its totals (tool
 * calls, the four kinds of tokens). As counter values ({@code trace_counts}, moved by one
 * counter write per batch), as the offsets a recount stores on the trace, or as their sum, the
 * cached values. A column that was never written reads as 0.
 */
record Counters(long messages, long toolCalls, long inputTokens, long outputTokens, long cacheReadTokens,
        long cacheWriteTokens) {
    static final Counters ZERO = new Counters(0, 0, 0, 0, 0, 0);

    /** Six columns of {@code row} from {@code first} on, in the order of the components; null reads as 0. */
    static Counters of(Row row, int first) {
        long[] v = new long[6];
        for (int i = 0; i < 6; i++) {
            v[i] = row.isNull(first + i) ? 0 : row.getLong(first + i);
        }
        return new Counters(v[0], v[1], v[2], v[3], v[4], v[5]);
    }

    /** What a batch of {@code count} messages adding {@code totals} adds. */
    static Counters of(long count, TraceTotals totals) {
        TokenUsage t = totals.tokens();
        return new Counters(count, totals.toolCalls(), t.inputTokens(), t.outputTokens(), t.cacheReadTokens(),
                t.cacheWriteTokens());
    }

    Counters plus(Counters o) {
        return new Counters(messages + o.messages, toolCalls + o.toolCalls, inputTokens + o.inputTokens,
                outputTokens + o.outputTokens, cacheReadTokens + o.cacheReadTokens, cacheWriteTokens + o.cacheWriteTokens);
    }

    Counters minus(Counters o) {
        return new Counters(messages - o.messages, toolCalls - o.toolCalls, inputTokens - o.inputTokens,
                outputTokens - o.outputTokens, cacheReadTokens - o.cacheReadTokens, cacheWriteTokens - o.cacheWriteTokens);
    }

    /** The totals these counters hold, with {@code lastMessageAt}. */
    TraceTotals totals(Instant lastMessageAt) {
        return new TraceTotals(toolCalls, new TokenUsage(inputTokens, outputTokens, cacheReadTokens, cacheWriteTokens),
                lastMessageAt);
    }
}
