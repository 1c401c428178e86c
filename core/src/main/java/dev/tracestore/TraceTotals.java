package dev.tracestore;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.tracestore.internal.InstantJson;
import java.time.Instant;
import java.util.List;

/**
 * What a trace sums over its messages besides their number: tool calls, tokens, and the latest
 * message instant. Kept on the trace row beside the count and moved by the same single write
 * per batch: a batch adds its messages' values (every message assumed new, as for the count)
 * and raises {@code lastMessageAt} to its latest.
 *
 * @param toolCalls     the messages' tool calls
 * @param tokens        the messages' token usage, summed
 * @param lastMessageAt the latest {@link Message#createdAt()}, or null without messages
 */
public record TraceTotals(
        long toolCalls,
        TokenUsage tokens,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant lastMessageAt) {
    /** The totals of a trace without messages. */
    public static final TraceTotals NONE = new TraceTotals(0, TokenUsage.NONE, null);

    /** Checks that tool calls are not negative and tokens present. */
    public TraceTotals {
        if (toolCalls < 0) {
            throw new IllegalArgumentException("toolCalls: must not be negative; got " + toolCalls);
        }
        if (tokens == null) {
            throw new IllegalArgumentException("tokens: must not be null");
        }
    }

    /** The totals of {@code messages} alone, as a batch of them adds them. */
    public static TraceTotals of(List<Message> messages) {
        long toolCalls = 0;
        long input = 0;
        long output = 0;
        long cacheRead = 0;
        long cacheWrite = 0;
        Instant last = null;
        for (Message m : messages) {
            toolCalls += m.toolCalls();
            if (m.usage() != null) {
                input += m.usage().inputTokens();
                output += m.usage().outputTokens();
                cacheRead += m.usage().cacheReadTokens();
                cacheWrite += m.usage().cacheWriteTokens();
            }
            if (last == null || m.createdAt().isAfter(last)) {
                last = m.createdAt();
            }
        }
        return new TraceTotals(toolCalls, new TokenUsage(input, output, cacheRead, cacheWrite), last);
    }

    /** This and {@code added}: sums added, the later instant kept. */
    public TraceTotals plus(TraceTotals added) {
        Instant last = lastMessageAt == null ? added.lastMessageAt
                : added.lastMessageAt == null || lastMessageAt.isAfter(added.lastMessageAt) ? lastMessageAt
                : added.lastMessageAt;
        return new TraceTotals(Math.addExact(toolCalls, added.toolCalls), tokens.plus(added.tokens), last);
    }
}
