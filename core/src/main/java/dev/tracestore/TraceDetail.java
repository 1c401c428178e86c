package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.tracestore.internal.InstantJson;
import java.time.Instant;

/**
 * One trace with all its attributes, as {@link TraceStore#getTrace(long)} returns it.
 * Serialises with Jackson to stable camelCase JSON, instants as ISO-8601 UTC strings.
 *
 * @param id           the store-assigned id
 * @param namespace    the owner
 * @param externalId   the agent's session id
 * @param title        the title, or null
 * @param agentId      the agent, or null
 * @param model        the main model, or null
 * @param visibility   who may see it
 * @param projectName  the project, or null
 * @param createdAt    when the session started
 * @param updatedAt    when the trace or one of its messages was last written
 * @param messageCount the cached message count, the same number a {@link TraceSummary} of
 *                     this trace shows; computed from the rows when the stored count is unknown
 * @param toolCallCount the tools its messages called, cached and optimistic as the count is
 * @param tokens        the tokens its messages' models used, summed, cached and optimistic as
 *                      the count is; {@link TokenUsage#NONE} when no message reported usage
 * @param lastMessageAt the latest instant a message was written, or null (serialised as
 *                      {@code null}) when the trace has no messages
 * @param ingestCursor  where the trace's source has been read up to, as the last
 *                      {@link TraceStore#appendMessages append} set it, or null
 */
@JsonPropertyOrder({"id", "namespace", "externalId", "title", "agentId", "model", "visibility",
        "projectName", "createdAt", "updatedAt", "messageCount", "toolCallCount", "tokens", "lastMessageAt", "ingestCursor"})
public record TraceDetail(
        long id,
        String namespace,
        String externalId,
        String title,
        String agentId,
        String model,
        Visibility visibility,
        String projectName,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant createdAt,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant updatedAt,
        long messageCount,
        long toolCallCount,
        TokenUsage tokens,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant lastMessageAt,
        String ingestCursor) {

    /** This trace as a list shows it. */
    public TraceSummary toSummary() {
        return new TraceSummary(id, namespace, externalId, title, agentId, model, visibility, updatedAt,
                messageCount, toolCallCount, tokens, lastMessageAt);
    }
}
