package dev.tracestore.web;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Text rules shared by the metadata and the image: cleaning, counts, names, truncation. */
final class Texts {
    /** The character that marks a cut. */
    static final String ELLIPSIS = "…";

    /** One extended grapheme cluster (a user-perceived character, such as a flag or an emoji family). */
    private static final Pattern GRAPHEME = Pattern.compile("\\X");

    private static final Map<String, String> AGENT_NAMES = Map.of(
            "claude-code", "Claude Code",
            "codex", "Codex",
            "cursor", "Cursor");

    private static final int MAX_AGENT_LENGTH = 40;

    private static final String[] COMPACT_UNITS = {"K", "M", "B"};

    private Texts() {}

    /**
     * The text as one clean line: every run of whitespace, line or paragraph separators and
     * control characters becomes one space; bidi embedding and override controls and lone
     * surrogates are dropped (they could reorder or corrupt the surrounding page); the result
     * is stripped. Null stays null.
     */
    static String oneLine(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder sb = new StringBuilder(text.length());
        boolean space = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || Character.isSpaceChar(c) || Character.isISOControl(c)) {
                space = true;
                continue;
            }
            if (isBidiControl(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1))) {
                appendPending(sb, space);
                space = false;
                sb.append(c).append(text.charAt(++i));
                continue;
            }
            if (Character.isSurrogate(c)) {
                continue;
            }
            appendPending(sb, space);
            space = false;
            sb.append(c);
        }
        return sb.toString();
    }

    private static void appendPending(StringBuilder sb, boolean space) {
        if (space && sb.length() > 0) {
            sb.append(' ');
        }
    }

    private static boolean isBidiControl(char c) {
        return (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200E' || c == '\u200F' || c == '\u061C';
    }

    /** {@link #oneLine} of the text, or null when that is empty. */
    static String oneLineOrNull(String text) {
        String line = oneLine(text);
        return line == null || line.isEmpty() ? null : line;
    }

    /** A count with its noun: "0 messages", "1 message", "1,284 messages", whatever the default locale. */
    static String messages(long count) {
        return grouped(count) + (count == 1 ? " message" : " messages");
    }

    /** A count with its noun, grouped as messages are: "1 tool call", "1,284 tool calls". */
    static String toolCalls(long count) {
        return grouped(count) + (count == 1 ? " tool call" : " tool calls");
    }

    /** A token count, {@link #compact compact}, with its noun: "1 token", "950 tokens", "2.1M tokens". */
    static String tokens(long count) {
        return compact(count) + (count == 1 ? " token" : " tokens");
    }

    /** The count grouped with commas in threes, whatever the default locale: "1,284". */
    static String grouped(long count) {
        return String.format(Locale.ROOT, "%,d", count);
    }

    /**
     * A non-negative count in short form, whatever the default locale: under 1,000 as it is
     * ("950"); then in thousands, millions or billions with one decimal rounded half up, ".0"
     * dropped ("1K", "1.2K", "2.1M", "3.4B"). A count that rounds to 1,000 of a unit takes the
     * next one (999,950 is "1M", not "1,000K"); billions are the largest unit, grouped beyond
     * 999.9 ("1,000B").
     */
    static String compact(long count) {
        if (count < 1000) {
            return Long.toString(count);
        }
        // Exact integer arithmetic in tenths of the unit: no double rounding, no locale, no overflow.
        long tenth = 100; // a tenth of the unit: of a thousand, then of a million, then of a billion
        int unit = 0;
        long tenths = roundedTenths(count, tenth);
        while (tenths >= 10_000 && unit < COMPACT_UNITS.length - 1) {
            tenth *= 1000;
            unit++;
            tenths = roundedTenths(count, tenth);
        }
        String whole = grouped(tenths / 10);
        long decimal = tenths % 10;
        return (decimal == 0 ? whole : whole + "." + decimal) + COMPACT_UNITS[unit];
    }

    /** {@code count / tenth}, rounded half up. */
    private static long roundedTenths(long count, long tenth) {
        long quotient = count / tenth;
        return count % tenth >= (tenth + 1) / 2 ? quotient + 1 : quotient;
    }

    /**
     * The display name of an agent id: the known agents by name ({@code claude-code} → "Claude
     * Code", {@code codex} → "Codex", {@code cursor} → "Cursor"); another id with each word
     * capitalised ({@code gemini-cli} → "Gemini Cli"); no id → "AI agent".
     */
    static String agentName(String agentId) {
        String id = oneLineOrNull(agentId);
        if (id == null) {
            return "AI agent";
        }
        String known = AGENT_NAMES.get(id.toLowerCase(Locale.ROOT));
        if (known != null) {
            return known;
        }
        StringBuilder sb = new StringBuilder();
        for (String word : id.split("[-_\\s]+")) {
            if (word.isEmpty()) {
                continue;
            }
            if (sb.length() > 0) {
                sb.append(' ');
            }
            int first = word.codePointAt(0);
            sb.appendCodePoint(Character.toTitleCase(first)).append(word.substring(Character.charCount(first)));
        }
        return truncate(sb.length() == 0 ? id : sb.toString(), MAX_AGENT_LENGTH);
    }

    /**
     * The text cut to at most {@code maxChars} UTF-16 characters, ellipsis included: whole
     * grapheme clusters only, trailing spaces dropped before the "…". Text that fits is returned
     * as it is.
     */
    static String truncate(String text, int maxChars) {
        if (text.length() <= maxChars) {
            return text;
        }
        int budget = maxChars - ELLIPSIS.length();
        int end = 0;
        Matcher m = GRAPHEME.matcher(text);
        while (m.find() && m.end() <= budget) {
            end = m.end();
        }
        return text.substring(0, end).stripTrailing() + ELLIPSIS;
    }

    /** The offsets just after each grapheme cluster of {@code text}, in order. */
    static int[] graphemeEnds(String text) {
        return GRAPHEME.matcher(text).results().mapToInt(java.util.regex.MatchResult::end).toArray();
    }
}
