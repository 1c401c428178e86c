package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.tracestore.internal.InstantJson;
import java.time.Instant;

/**
 * A trace as trace lists show it. Serialises with Jackson to stable camelCase JSON, instants
 * as ISO-8601 UTC strings.
 *
 * @param id           the store-assigned id
 * @param namespace    the owner
 * @param externalId   the agent's session id
 * @param title        the title, or null
 * @param agentId      the agent, or null
 * @param model        the main model, or null
 * @param visibility   who may see it
 * @param updatedAt    when the trace or one of its messages was last written
 * @param messageCount the cached message count: optimistic, so it may exceed the number of
 *                     stored messages after re-sent messages until a recount; never negative
 * @param toolCallCount the tools its messages called, cached and optimistic as the count is
 * @param tokens        the tokens its messages' models used, summed, cached and optimistic as
 *                      the count is; {@link TokenUsage#NONE} when no message reported usage
 * @param lastMessageAt the latest instant a message was written, or null (serialised as
 *                      {@code null}) when the trace has no messages
 */
@JsonPropertyOrder({"id", "namespace", "externalId", "title", "agentId", "model", "visibility",
        "updatedAt", "messageCount", "toolCallCount", "tokens", "lastMessageAt"})
public record TraceSummary(
        long id,
        String namespace,
        String externalId,
        String title,
        String agentId,
        String model,
        Visibility visibility,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant updatedAt,
        long messageCount,
        long toolCallCount,
        TokenUsage tokens,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant lastMessageAt) {
}
