package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.TokenUsage;
import java.time.LocalDate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ShareCardTest {
    static final LocalDate DAY = LocalDate.of(2025, 11, 29);

    @Test
    @DisplayName("the five-value constructor still builds a card, one that shows neither tokens nor tool calls")
    void fiveValueConstructor_showsNoTotals() {
        ShareCard card = new ShareCard("t", "Codex", null, 3, DAY);
        assertThat(card).isEqualTo(new ShareCard("t", "Codex", null, 3, 0, 0, DAY));
        assertThat(card.countTexts()).containsExactly("3 messages");
    }

    @Test
    void counts_areShownOnlyAboveZero() {
        assertThat(new ShareCard("t", "Codex", null, 0, 0, 0, DAY).countTexts()).containsExactly("0 messages");
        assertThat(new ShareCard("t", "Codex", null, 5, 1, 0, DAY).countTexts()).containsExactly("5 messages", "1 token");
        assertThat(new ShareCard("t", "Codex", null, 5, 0, 1, DAY).countTexts())
                .containsExactly("5 messages", "1 tool call");
        assertThat(new ShareCard("t", "Codex", null, 1_284, 2_000_000, 1_284, DAY).countTexts())
                .containsExactly("1,284 messages", "2M tokens", "1,284 tool calls");
    }

    @Test
    void negativeCounts_areRejectedNamingTheField() {
        assertThatThrownBy(() -> new ShareCard("t", "Codex", null, 1, -1, 0, DAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("totalTokens: must not be negative; got -1");
        assertThatThrownBy(() -> new ShareCard("t", "Codex", null, 1, 0, -2, DAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("toolCallCount: must not be negative; got -2");
        assertThatThrownBy(() -> new ShareCard("t", "Codex", null, -3, DAY))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("messageCount: must not be negative; got -3");
    }

    @Test
    @DisplayName("of(trace) sums the four kinds of tokens, saturating instead of wrapping into a negative total")
    void of_sumsTheUsageSaturating() {
        ShareCard card = ShareCard.of(Traces.withTotals(Traces.trace("t", 2), 7, new TokenUsage(1, 20, 300, 4_000)));
        assertThat(card.totalTokens()).isEqualTo(4_321);
        assertThat(card.toolCallCount()).isEqualTo(7);
        ShareCard huge = ShareCard.of(Traces.withTotals(Traces.trace("t", 2), 0,
                new TokenUsage(Long.MAX_VALUE, Long.MAX_VALUE, 1, 0)));
        assertThat(huge.totalTokens()).isEqualTo(Long.MAX_VALUE);
        assertThat(huge.totalTokensText()).isEqualTo("9,223,372,036.9B tokens");
    }

    @Test
    void version_changesWithTokensAndToolCalls() {
        ShareCard plain = new ShareCard("t", "Codex", "m", 10, DAY);
        assertThat(plain.version()).matches("[0-9a-f]{16}");
        assertThat(new ShareCard("t", "Codex", "m", 10, 1_000, 0, DAY).version()).isNotEqualTo(plain.version());
        assertThat(new ShareCard("t", "Codex", "m", 10, 1_000, 0, DAY).version())
                .isNotEqualTo(new ShareCard("t", "Codex", "m", 10, 1_100, 0, DAY).version());
        assertThat(new ShareCard("t", "Codex", "m", 10, 0, 1, DAY).version()).isNotEqualTo(plain.version());
        // tokens and tool calls are separate fields: 1 token and no tool call is not no token and 1 tool call
        assertThat(new ShareCard("t", "Codex", "m", 10, 1, 0, DAY).version())
                .isNotEqualTo(new ShareCard("t", "Codex", "m", 10, 0, 1, DAY).version());
    }
}
