package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reading the fields of records that may lack them. */
final class Json {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private Json() {}

    /** A field's text, or null when absent or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    /** A count, or 0 when absent, not a number or negative. */
    static long count(JsonNode node, String field) {
        JsonNode n = node == null ? null : node.get(field);
        return n != null && n.canConvertToLong() ? Math.max(0, n.asLong()) : 0;
    }

    /**
     * A message content's text: a string as it is; a part, or a list of parts, their
     * {@code text} fields joined by a blank line, the parts {@code keep} refuses left out.
     */
    static String joinedText(JsonNode content, java.util.function.Predicate<JsonNode> keep) {
        if (content == null) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder sb = new StringBuilder();
        for (JsonNode part : content.isArray() ? content : java.util.List.of(content)) {
            String t = text(part, "text");
            if (t != null && keep.test(part)) {
                sb.append(sb.length() > 0 ? "\n\n" : "").append(t);
            }
        }
        return sb.toString();
    }
}
