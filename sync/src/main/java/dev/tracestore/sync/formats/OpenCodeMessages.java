package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.sync.SessionDatabase;
import java.time.Instant;
import java.util.List;

/**
 * OpenCode's {@code MessageV2}: a message's info (role, times, model, tokens) and its parts
 * (text, reasoning, tool, step-start, step-finish, file, …), as one TraceStore message. Both
 * storages, the SQLite database and the older JSON files, hold the same objects.
 */
final class OpenCodeMessages {
    private OpenCodeMessages() {}

    /**
     * The entry for a message.
     *
     * @param info       the message's info, without or with its {@code id}
     * @param parts      its parts in id order, each with its {@code id}
     * @param laterExists whether the session holds a message after it
     */
    static SessionDatabase.Entry entry(String id, long sequence, JsonNode info, List<ObjectNode> parts,
            boolean laterExists, Instant changedAt) {
        String role = Json.text(info, "role");
        boolean assistant = "assistant".equals(role);
        // A prompt's parts are written after it, one by one: it is whole once the reply has begun.
        // A reply is whole once it has its completion time, or an error.
        boolean complete = assistant ? info.path("time").has("completed") || info.has("error")
                : !"user".equals(role) || laterExists;
        if (!assistant && !"user".equals(role)) {
            return new SessionDatabase.Entry(id, null, true, changedAt, "role " + role + " is not OpenCode's: skipped");
        }
        if (parts.isEmpty()) {
            return new SessionDatabase.Entry(id, null, complete, changedAt, null); // wrote nothing (an aborted reply)
        }
        StringBuilder text = new StringBuilder();
        ArrayNode partsJson = Json.MAPPER.createArrayNode();
        int toolCalls = 0;
        TokenUsage steps = null;
        for (ObjectNode part : parts) {
            partsJson.add(part);
            String type = String.valueOf(Json.text(part, "type"));
            switch (type) {
                case "text" -> {
                    String t = Json.text(part, "text");
                    if (t != null && !part.path("synthetic").asBoolean(false) && !part.path("ignored").asBoolean(false)) {
                        text.append(text.length() > 0 ? "\n\n" : "").append(t);
                    }
                }
                case "tool" -> toolCalls++;
                case "step-finish" -> {
                    TokenUsage u = usage(part.get("tokens"));
                    steps = steps == null ? u : u == null ? steps : steps.plus(u);
                }
                default -> { } // reasoning, file, step-start, patch, …: kept in the parts only
            }
        }
        Instant at = info.path("time").path("created").canConvertToLong()
                ? Instant.ofEpochMilli(info.path("time").path("created").asLong()) : null;
        MessageInput m = MessageInput.of(id, sequence, assistant ? Role.ASSISTANT : Role.USER, text.toString())
                .withCreatedAt(at).withPartsJson(partsJson.toString()).withToolCalls(Math.min(toolCalls, MessageInput.MAX_TOOL_CALLS));
        if (assistant) {
            // The info holds the last step's tokens only (each step replaces them); every step-finish part holds its own.
            m = m.withModel(Json.text(info, "modelID")).withUsage(capped(steps != null ? steps : usage(info.get("tokens"))));
        }
        return new SessionDatabase.Entry(id, m, complete, changedAt, null);
    }

    /** {@code {input, output, reasoning, cache: {read, write}}}: input is uncached, output gains reasoning; null if all are 0. */
    static TokenUsage usage(JsonNode tokens) {
        if (tokens == null || !tokens.isObject()) {
            return null;
        }
        JsonNode cache = tokens.get("cache");
        TokenUsage u = capped(TokenUsage.of(Json.count(tokens, "input"), Json.count(tokens, "output") + Json.count(tokens, "reasoning"))
                .withCache(Json.count(cache, "read"), Json.count(cache, "write")));
        return u.equals(TokenUsage.NONE) ? null : u;
    }

    /** Each count at most what one message may carry (a count past it is not a real one). */
    private static TokenUsage capped(TokenUsage u) {
        long max = TokenUsage.MAX_PER_MESSAGE;
        return u == null ? null : new TokenUsage(Math.min(u.inputTokens(), max), Math.min(u.outputTokens(), max),
                Math.min(u.cacheReadTokens(), max), Math.min(u.cacheWriteTokens(), max));
    }
}
