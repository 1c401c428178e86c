package dev.tracestore.examples.server;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body of {@code POST /api/traces/{id}/messages}:
 *
 * <pre>{@code
 * {"expectedCursor": "offset 1024", "newCursor": "offset 2048",
 *  "messages": [{"externalId": "m-7", "sequence": 7, "role": "assistant", "text": "…",
 *                "model": "claude-opus-4-5", "createdAt": "2026-12-04T10:00:00Z", "partsJson": "[…]",
 *                "usage": {"inputTokens": 3, "outputTokens": 120, "cacheReadTokens": 19000, "cacheWriteTokens": 0},
 *                "toolCalls": 1}]}
 * }</pre>
 *
 * Without {@code newCursor} the batch is an upsert with no cursor ({@code expectedCursor} must
 * then be absent too); {@code expectedCursor} null or absent expects a trace that holds none.
 * Every error names the field, such as {@code messages[2].role}; unknown fields are errors.
 */
record AppendRequest(String expectedCursor, String newCursor, List<MessageInput> messages) {
    private static final Set<String> FIELDS = Set.of("expectedCursor", "newCursor", "messages");
    private static final Set<String> MESSAGE_FIELDS = Set.of("externalId", "sequence", "role", "text", "model", "createdAt",
            "partsJson", "usage", "toolCalls");
    private static final Set<String> USAGE_FIELDS = Set.of("inputTokens", "outputTokens", "cacheReadTokens", "cacheWriteTokens");

    static AppendRequest parse(JsonMapper json, byte[] body) {
        JsonNode root;
        try {
            root = json.readTree(body);
        } catch (JacksonException e) {
            throw new TraceController.BadRequest("the body is not JSON", "");
        }
        if (root == null || !root.isObject()) {
            throw new TraceController.BadRequest("the body must be a JSON object", "");
        }
        unknown(root, FIELDS, "");
        String expected = optionalText(root, "expectedCursor", "expectedCursor");
        String next = optionalText(root, "newCursor", "newCursor");
        if (next == null && expected != null) {
            throw new TraceController.BadRequest("an expected cursor needs the new cursor it advances to", "newCursor");
        }
        JsonNode list = root.get("messages");
        if (list == null || !list.isArray()) {
            throw new TraceController.BadRequest("must be an array of messages", "messages");
        }
        List<MessageInput> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            messages.add(message(list.get(i), "messages[" + i + "]"));
        }
        return new AppendRequest(expected, next, messages);
    }

    private static MessageInput message(JsonNode m, String at) {
        if (!m.isObject()) {
            throw new TraceController.BadRequest("must be an object", at);
        }
        unknown(m, MESSAGE_FIELDS, at + ".");
        String id = requiredText(m, "externalId", at);
        JsonNode sequence = m.get("sequence");
        if (sequence == null || !sequence.isIntegralNumber() || !sequence.canConvertToLong()) {
            throw new TraceController.BadRequest("must be an integer", at + ".sequence");
        }
        Role role;
        try {
            role = Role.valueOf(requiredText(m, "role", at).toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new TraceController.BadRequest("must be one of user, assistant, tool, system", at + ".role");
        }
        String text = requiredText(m, "text", at);
        Instant createdAt = null;
        String created = optionalText(m, "createdAt", at + ".createdAt");
        if (created != null) {
            try {
                createdAt = Instant.parse(created);
            } catch (DateTimeParseException e) {
                throw new TraceController.BadRequest("must be an ISO-8601 instant such as 2026-12-04T10:00:00Z", at + ".createdAt");
            }
        }
        TokenUsage usage = null;
        JsonNode u = m.get("usage");
        if (u != null && !u.isNull()) {
            if (!u.isObject()) {
                throw new TraceController.BadRequest("must be an object", at + ".usage");
            }
            unknown(u, USAGE_FIELDS, at + ".usage.");
            usage = new TokenUsage(count(u, "inputTokens", at + ".usage"), count(u, "outputTokens", at + ".usage"),
                    count(u, "cacheReadTokens", at + ".usage"), count(u, "cacheWriteTokens", at + ".usage"));
        }
        int toolCalls = (int) Math.min(Integer.MAX_VALUE, count(m, "toolCalls", at));
        try {
            return new MessageInput(id, sequence.asLong(), role, text, optionalText(m, "model", at + ".model"), createdAt,
                    optionalText(m, "partsJson", at + ".partsJson"), usage, toolCalls);
        } catch (IllegalArgumentException e) {
            throw new TraceController.BadRequest(e.getMessage(), at);
        }
    }

    private static void unknown(JsonNode object, Set<String> known, String at) {
        for (Map.Entry<String, JsonNode> field : object.properties()) {
            if (!known.contains(field.getKey())) {
                throw new TraceController.BadRequest("unknown field", at + field.getKey());
            }
        }
    }

    private static String requiredText(JsonNode node, String field, String at) {
        String text = optionalText(node, field, at + "." + field);
        if (text == null) {
            throw new TraceController.BadRequest("required", at + "." + field);
        }
        return text;
    }

    private static String optionalText(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isString()) {
            throw new TraceController.BadRequest("must be a string", at);
        }
        return v.asString();
    }

    /** A non-negative integer, 0 when absent. */
    private static long count(JsonNode node, String field, String at) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < 0) {
            throw new TraceController.BadRequest("must be a non-negative integer", at + "." + field);
        }
        return v.asLong();
    }
}
