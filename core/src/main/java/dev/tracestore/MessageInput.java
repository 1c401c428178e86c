package dev.tracestore;

import dev.tracestore.internal.Checks;
import java.time.Instant;

/**
 * A message to upsert into a trace, keyed by its external id within the trace. Build one with
 * {@link #of(String, long, Role, String)} and the {@code with…} methods.
 *
 * @param externalId the message's id, unique within its trace (a Claude Code line {@code uuid})
 * @param sequence   its position in the conversation: messages list in ascending sequence,
 *                   ties broken by external id
 * @param role       who wrote it
 * @param text       its plain text, possibly empty, never null
 * @param model      the model that wrote it, or null
 * @param createdAt  when it was written; null means the store's clock at upsert time
 * @param partsJson  its structured parts (text, thinking, tool call, tool result) as a JSON
 *                   array, or null
 */
public record MessageInput(
        String externalId,
        long sequence,
        Role role,
        String text,
        String model,
        Instant createdAt,
        String partsJson) {

    public MessageInput {
        Checks.id("externalId", externalId);
        Checks.notNull("role", role);
        Checks.notNull("text", text);
    }

    /** A message with the required attributes; model, created instant and parts unset. */
    public static MessageInput of(String externalId, long sequence, Role role, String text) {
        return new MessageInput(externalId, sequence, role, text, null, null, null);
    }

    /** This message with the model that wrote it. */
    public MessageInput withModel(String model) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson);
    }

    /** This message with the instant it was written; null means the store's clock. */
    public MessageInput withCreatedAt(Instant createdAt) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson);
    }

    /** This message with its structured parts, a JSON array such as {@code [{"type":"text","text":"hi"}]}. */
    public MessageInput withPartsJson(String partsJson) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson);
    }
}
