package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.tracestore.internal.Checks;
import dev.tracestore.internal.InstantJson;
import java.time.Instant;

/**
 * A stored message, as {@link TraceStore#listMessages(long, String, int)} returns it and as the
 * core hands it to a storage adapter. Instants have microsecond precision.
 *
 * @param externalId its id, unique within its trace
 * @param sequence   its position in the conversation
 * @param role       who wrote it
 * @param text       its plain text, never null
 * @param model      the model that wrote it, or null
 * @param createdAt  when it was written
 * @param partsJson  its structured parts as a JSON array, or null
 * @param usage      the tokens its model used for it, or null when none were reported
 * @param toolCalls  how many tools it called
 */
@JsonPropertyOrder({"externalId", "sequence", "role", "text", "model", "createdAt", "partsJson", "usage", "toolCalls"})
public record Message(
        String externalId,
        long sequence,
        Role role,
        String text,
        String model,
        @JsonSerialize(using = InstantJson.Serializer.class)
        @JsonDeserialize(using = InstantJson.Deserializer.class)
        Instant createdAt,
        String partsJson,
        TokenUsage usage,
        int toolCalls) {

    /** Checks that the required fields are present; the store validates contents on the way in. */
    public Message {
        Checks.notNull("externalId", externalId);
        Checks.notNull("role", role);
        Checks.notNull("text", text);
        Checks.notNull("createdAt", createdAt);
        if (toolCalls < 0) {
            throw new IllegalArgumentException("toolCalls: must not be negative; got " + toolCalls);
        }
    }

    /** A message without usage or tool calls. */
    public Message(String externalId, long sequence, Role role, String text, String model, Instant createdAt,
            String partsJson) {
        this(externalId, sequence, role, text, model, createdAt, partsJson, null, 0);
    }
}
