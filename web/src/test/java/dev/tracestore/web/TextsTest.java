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
