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
 * @param usage      the tokens its model used for it, or null when the agent reported none;
 *                   each count at most {@link TokenUsage#MAX_PER_MESSAGE}
 * @param toolCalls  how many tools it called, 0 to {@value #MAX_TOOL_CALLS}
 */
public record MessageInput(
        String externalId,
        long sequence,
        Role role,
        String text,
        String model,
        Instant createdAt,
        String partsJson,
        TokenUsage usage,
        int toolCalls) {

    /** The most tool calls one message may report. */
    public static final int MAX_TOOL_CALLS = 10_000;

    public MessageInput {
        Checks.id("externalId", externalId);
        Checks.notNull("role", role);
        Checks.notNull("text", text);
        if (usage != null) {
            requireAtMostMax("usage.inputTokens", usage.inputTokens());
            requireAtMostMax("usage.outputTokens", usage.outputTokens());
            requireAtMostMax("usage.cacheReadTokens", usage.cacheReadTokens());
            requireAtMostMax("usage.cacheWriteTokens", usage.cacheWriteTokens());
        }
        Checks.inRange("toolCalls", toolCalls, 0, MAX_TOOL_CALLS);
    }

    /** A message without usage or tool calls, as before they existed. */
    public MessageInput(String externalId, long sequence, Role role, String text, String model, Instant createdAt,
            String partsJson) {
        this(externalId, sequence, role, text, model, createdAt, partsJson, null, 0);
    }

    /** A message with the required attributes; model, created instant, parts, usage and tool calls unset. */
    public static MessageInput of(String externalId, long sequence, Role role, String text) {
        return new MessageInput(externalId, sequence, role, text, null, null, null, null, 0);
    }

    /** This message with the model that wrote it. */
    public MessageInput withModel(String model) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson, usage, toolCalls);
    }

    /** This message with the instant it was written; null means the store's clock. */
    public MessageInput withCreatedAt(Instant createdAt) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson, usage, toolCalls);
    }

    /** This message with its structured parts, a JSON array such as {@code [{"type":"text","text":"hi"}]}. */
    public MessageInput withPartsJson(String partsJson) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson, usage, toolCalls);
    }

    /** This message with the tokens its model used for it; null for none reported. */
    public MessageInput withUsage(TokenUsage usage) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson, usage, toolCalls);
    }

    /** This message with the number of tools it called. */
    public MessageInput withToolCalls(int toolCalls) {
        return new MessageInput(externalId, sequence, role, text, model, createdAt, partsJson, usage, toolCalls);
    }

    private static void requireAtMostMax(String field, long value) {
        if (value > TokenUsage.MAX_PER_MESSAGE) {
            throw new IllegalArgumentException(field + ": must be at most " + TokenUsage.MAX_PER_MESSAGE + "; got " + value);
        }
    }
}
