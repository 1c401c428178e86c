package dev.tracestore.examples.importer;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a JSON Lines file into objects, reporting each line that is not one, with its number. */
final class JsonLines {
    static final ObjectMapper JSON = new ObjectMapper();

    /** One JSON object and its 1-based line number. */
    record Line(int number, JsonNode record) {
    }

    /** The objects of a file and the problems met reading it. */
    record Content(List<Line> lines, List<ImportProblem> problems) {
    }

    private JsonLines() {}

    static Content read(Path file) throws IOException {
        List<Line> lines = new ArrayList<>();
        List<ImportProblem> problems = new ArrayList<>();
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(Files.readAllBytes(file))).toString();
        } catch (CharacterCodingException e) {
            problems.add(new ImportProblem(file, 0, "not a JSON Lines file: it is not UTF-8 text"));
            return new Content(lines, problems);
        }
        String[] raw = text.split("\n", -1); // the last element is "" when the file ends with a newline
        for (int i = 0; i < raw.length; i++) {
            String line = raw[i];
            if (line.isBlank()) {
                continue;
            }
            int number = i + 1;
            try {
                JsonNode node = JSON.readTree(line);
                if (node != null && node.isObject()) {
                    lines.add(new Line(number, node));
                } else {
                    problems.add(new ImportProblem(file, number, "not a JSON object: skipped"));
                }
            } catch (JsonProcessingException e) {
                boolean unterminatedLast = i == raw.length - 1;
                problems.add(new ImportProblem(file, number, unterminatedLast
                        ? "truncated last line (is the session still being written?): skipped"
                        : "malformed JSON (" + e.getOriginalMessage() + "): skipped"));
            }
        }
        return new Content(lines, problems);
    }

    /** A field's text, or null when absent or not a string. */
    static String text(JsonNode node, String field) {
        JsonNode v = node == null ? null : node.get(field);
        return v != null && v.isTextual() ? v.asText() : null;
    }
}
