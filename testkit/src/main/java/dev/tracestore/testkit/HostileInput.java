package dev.tracestore.testkit;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import java.time.Instant;
import java.util.List;
import java.util.Random;

/**
 * Arbitrary strings and lists for the kit's hostile-input tests, from a seeded {@link Random}:
 * empty and blank strings, strings over every limit, control characters, U+0000, lone and
 * paired surrogates, noncharacters, SQL and LIKE fragments, HTML, right-to-left and combining
 * text, and mixtures of them. Not thread-safe.
 */
final class HostileInput {
    private static final String[] FRAGMENTS = {
        "", " ", "  \t ", "\u0000", "a\u0000b", "\u0001\u001f\u007f", "\r\n", "\u0085", "\u2028\u2029",
        "\ud800", "\udfff", "x\udbff", "\udc00y", "\ud83d\ude00", "\ud83d", "\ude00\ud83d", "\uffff", "\ufffe", "\ufeff",
        "'", "''", "\"", "\\", "\\'", "%", "_", "%_%", "'; DROP TABLE tracestore_traces; --", "' OR '1'='1",
        "1; SELECT pg_sleep(10)", "${prefix}", "?", "$1", ":name", "/* */", "--",
        "<script>alert(1)</script>", "&amp;&lt;", "<img src=x onerror=alert(1)>", "]]>",
        "\u05e9\u05dc\u05d5\u05dd", "\u202e\u202d", "e\u0301", "\u00e9", "\u4e2d\u6587", "\u00a0", "team-42", "TEAM-42",
        "team-42 ", " team-42", "null", "NULL", "{}", "[]", "[{\"type\":\"text\"}]", "\u0130\u0131",
    };

    private final Random random;
    private final int maxText;

    HostileInput(Random random, int maxText) {
        this.random = random;
        this.maxText = maxText;
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** One of {@code choices}, each as likely (a null choice stands for "something hostile"). */
    String pick(String... choices) {
        return choices[random.nextInt(choices.length)];
    }

    /** An arbitrary string, never null. */
    String string() {
        switch (random.nextInt(8)) {
            case 0:
                return FRAGMENTS[random.nextInt(FRAGMENTS.length)];
            case 1: // around the id and title limits, sometimes of characters outside the BMP
                return repeat(random.nextBoolean() ? "x" : "\ud83d\ude00", pickLength(254, 257, 999, 1001, 128, 500));
            case 2: // around the text limit
                return repeat(random.nextBoolean() ? "y" : "\u00e9", pickLength(maxText - 1, maxText, maxText + 1));
            case 3: // random UTF-16 units, surrogates included
                return units(1 + random.nextInt(20), 0x10000);
            case 4: // random ASCII, control characters included
                return units(1 + random.nextInt(20), 0x80);
            default: {
                StringBuilder sb = new StringBuilder();
                int parts = 1 + random.nextInt(4);
                for (int i = 0; i < parts; i++) {
                    sb.append(random.nextBoolean() ? FRAGMENTS[random.nextInt(FRAGMENTS.length)] : units(3, 0x3000));
                }
                return sb.toString();
            }
        }
    }

    /** An arbitrary string or null. */
    String optionalString() {
        return random.nextInt(4) == 0 ? null : string();
    }

    /** A message with arbitrary fields; its constructor may reject them. */
    MessageInput message() {
        String id = random.nextInt(3) == 0 ? "m-" + random.nextInt(5) : string();
        long sequence = switch (random.nextInt(4)) {
            case 0 -> Long.MIN_VALUE;
            case 1 -> Long.MAX_VALUE;
            default -> random.nextInt(100) - 10;
        };
        String parts = switch (random.nextInt(4)) {
            case 0 -> null;
            case 1 -> string();
            default -> "[{\"type\":\"text\",\"text\":\"" + json(string()) + "\"}]";
        };
        MessageInput m = MessageInput.of(id, sequence, Role.values()[random.nextInt(Role.values().length)], string())
                .withModel(optionalString()).withPartsJson(parts);
        return random.nextBoolean() ? m : m.withCreatedAt(Instant.parse("2026-01-02T03:04:05.123456Z"));
    }

    /** Fills {@code into} with an arbitrary list: empty, with nulls, duplicates, or over the batch limit. */
    void messages(List<MessageInput> into) {
        int size = switch (random.nextInt(10)) {
            case 0 -> 0;
            case 1 -> 1001;
            default -> 1 + random.nextInt(8);
        };
        for (int i = 0; i < size; i++) {
            if (random.nextInt(40) == 0) {
                into.add(null);
            } else if (size > 8) {
                into.add(MessageInput.of("bulk-" + i, i, Role.USER, "bulk"));
            } else {
                into.add(message());
            }
        }
    }

    private int pickLength(int... lengths) {
        return lengths[random.nextInt(lengths.length)];
    }

    private static String repeat(String unit, int codePoints) {
        return unit.repeat(Math.max(0, codePoints));
    }

    private String units(int n, int bound) {
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
            chars[i] = (char) random.nextInt(bound);
        }
        return new String(chars);
    }

    /** {@code s} escaped for a JSON string literal: the JSON stays well formed whatever s holds. */
    private static String json(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
