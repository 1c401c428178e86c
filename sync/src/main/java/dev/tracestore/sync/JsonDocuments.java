package dev.tracestore.sync;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Session files that are one JSON document, rewritten whole by their agent (Gemini CLI's
 * {@code session-*.json} up to v0.38), read as a stream of records: first the document's
 * top-level fields that are not arrays, as one record, then each object of its top-level
 * arrays, in order. Memory: one record at a time.
 */
final class JsonDocuments {
    /** Takes one record of a document. */
    interface Records {
        void record(long number, JsonNode record) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonDocuments() {}

    /** Whether the file's first character that is not white space opens an object. */
    static boolean looksLikeOne(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            int c;
            while ((c = in.read()) == ' ' || c == '\t' || c == '\r' || c == '\n') {
                // skip
            }
            return c == '{';
        }
    }

    /** The document's top-level fields that are not arrays (one pass, arrays skipped unread), or null if it is not a JSON object. */
    static ObjectNode header(Path file) throws IOException {
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            ObjectNode header = JSON.createObjectNode();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY) {
                    p.skipChildren();
                } else {
                    header.set(field, JSON.readTree(p));
                }
            }
            return header;
        }
    }

    /** The document's records: {@code header} (number 0), then each object of its top-level arrays (1, 2, …). */
    static void read(Path file, ObjectNode header, Records records) throws IOException {
        records.record(0, header);
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            long number = 0;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.nextToken() != JsonToken.START_ARRAY) {
                    p.skipChildren();
                    continue;
                }
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    if (p.currentToken() == JsonToken.START_OBJECT) {
                        records.record(++number, JSON.readTree(p));
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
    }
}
