package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextsTest {
    private Locale saved;

    @BeforeEach
    void germanDefaultLocale() {
        saved = Locale.getDefault();
        Locale.setDefault(Locale.GERMANY); // groups with '.', which the counts must ignore
    }

    @AfterEach
    void restoreLocale() {
        Locale.setDefault(saved);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0|0 messages",
        "1|1 message",
        "2|2 messages",
        "999|999 messages",
        "1000|1,000 messages",
        "1284|1,284 messages",
        "1000000|1,000,000 messages",
        "9223372036854775807|9,223,372,036,854,775,807 messages"})
    void messages_pluraliseAndGroupWhateverTheDefaultLocale(long count, String expected) {
        assertThat(Texts.messages(count)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0|0 tokens",
        "1|1 token",
        "2|2 tokens",
        "999|999 tokens",
        "1000|1K tokens",
        "1001|1K tokens",
        "1049|1K tokens",
        "1050|1.1K tokens",
        "1250|1.3K tokens",
        "9999|10K tokens",
        "12345|12.3K tokens",
        "999949|999.9K tokens",
        "999950|1M tokens",
        "1000000|1M tokens",
        "1049999|1M tokens",
        "1050000|1.1M tokens",
        "2100000|2.1M tokens",
        "999949999|999.9M tokens",
        "999950000|1B tokens",
        "1000000000|1B tokens",
        "3449999999|3.4B tokens",
        "3450000000|3.5B tokens",
        "999949999999|999.9B tokens",
        "999950000000|1,000B tokens",
        "9223372036849999999|9,223,372,036.8B tokens",
        "9223372036854775807|9,223,372,036.9B tokens"})
    @DisplayName("tokens: as is under 1,000, then K, M, B with one decimal rounded half up, '.0' dropped, any locale")
    void tokens_compactHalfUpWhateverTheDefaultLocale(long count, String expected) {
        assertThat(Texts.tokens(count)).isEqualTo(expected);
    }

    @Test
    @DisplayName("around every unit boundary, compact text is within half a tenth of its unit and never 1,000 of one")
    void compact_isCloseAndTidyAroundEveryBoundary() {
        for (long unit : new long[] {1_000L, 1_000_000L, 1_000_000_000L}) {
            long step = Math.max(1, unit / 20_000); // hits every half-tenth boundary, such as 999,950
            for (long n = Math.max(1_000, unit - unit / 10); n <= unit + unit / 10; n += step) {
                String text = Texts.compact(n);
                assertThat(text).as("%d", n).matches("[1-9][0-9]{0,2}(\\.[1-9])?[KMB]");
                long shown = new java.math.BigDecimal(text.substring(0, text.length() - 1))
                        .multiply(java.math.BigDecimal.valueOf(unitOf(text))).longValueExact();
                assertThat(Math.abs(shown - n)).as("%d shown as %s", n, text).isLessThanOrEqualTo(unitOf(text) / 20);
            }
        }
    }

    private static long unitOf(String compact) {
        return switch (compact.charAt(compact.length() - 1)) {
            case 'K' -> 1_000L;
            case 'M' -> 1_000_000L;
            default -> 1_000_000_000L;
        };
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "0|0 tool calls",
        "1|1 tool call",
        "2|2 tool calls",
        "999|999 tool calls",
        "1284|1,284 tool calls",
        "9223372036854775807|9,223,372,036,854,775,807 tool calls"})
    void toolCalls_pluraliseAndGroupLikeMessages(long count, String expected) {
        assertThat(Texts.toolCalls(count)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "claude-code|Claude Code",
        "Claude-Code|Claude Code",
        "codex|Codex",
        "cursor|Cursor",
        "gemini-cli|Gemini Cli",
        "open_hands agent|Open Hands Agent",
        "ällm|Ällm"})
    void agentName_knownByNameOthersCapitalised(String id, String expected) {
        assertThat(Texts.agentName(id)).isEqualTo(expected);
    }

    @Test
    void agentName_missingOrBlank_isGeneric() {
        assertThat(Texts.agentName(null)).isEqualTo("AI agent");
        assertThat(Texts.agentName(" \n ")).isEqualTo("AI agent");
        assertThat(Texts.agentName("---")).isEqualTo("---");
    }

    @Test
    @DisplayName("oneLine collapses whitespace and control characters and drops bidi overrides and lone surrogates")
    void oneLine_cleans() {
        assertThat(Texts.oneLine("  a\r\n\tb\u2028c\u0000d\u00a0\u00a0e  ")).isEqualTo("a b c d e");
        assertThat(Texts.oneLine("x\u202Eevil\u202Cy\u2066z\u2069")).isEqualTo("xevilyz");
        assertThat(Texts.oneLine("a\uD800b\uDC00c")).isEqualTo("abc");
        assertThat(Texts.oneLine("😀 ok")).isEqualTo("😀 ok");
        assertThat(Texts.oneLine(null)).isNull();
        assertThat(Texts.oneLineOrNull(" \n")).isNull();
    }

    @Test
    void truncate_keepsTextThatFits() {
        assertThat(Texts.truncate("exactly ten", 11)).isEqualTo("exactly ten");
    }

    @Test
    void truncate_cutsWithEllipsisWithinTheLimit() {
        String cut = Texts.truncate("The quick brown fox jumps over the lazy dog", 20);
        assertThat(cut).hasSizeLessThanOrEqualTo(20).endsWith("…").startsWith("The quick brown fox");
        assertThat(cut).isEqualTo("The quick brown fox…");
    }

    @Test
    @DisplayName("truncate never splits a grapheme cluster: surrogate pairs, ZWJ families, flags, combining marks")
    void truncate_isGraphemeSafe() {
        String family = "👨‍👩‍👧"; // 8 UTF-16 chars, one grapheme
        String text = "ab" + family + "cd🇫🇷e\u0301f";
        for (int max = 1; max <= text.length(); max++) {
            String cut = Texts.truncate(text, max);
            assertThat(cut.length()).as("max %d", max).isLessThanOrEqualTo(max);
            String kept = cut.endsWith("…") ? cut.substring(0, cut.length() - 1) : cut;
            assertThat(text).startsWith(kept);
            int[] ends = Texts.graphemeEnds(text);
            assertThat(kept.length() == 0 || java.util.Arrays.stream(ends).anyMatch(e -> e == kept.length()))
                    .as("cut at %d for max %d lands on a grapheme boundary", kept.length(), max).isTrue();
        }
    }
}
