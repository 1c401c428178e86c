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
}
