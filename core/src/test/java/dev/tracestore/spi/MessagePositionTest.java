package dev.tracestore.spi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class MessagePositionTest {

    @Test
    void byCodePoint_ordersSupplementaryCharactersAfterTheBmp_unlikeStringCompareTo() {
        String emoji = "a\uD83D\uDE80"; // U+1F680, above U+FFFF
        String privateUse = "a\uE000";
        assertThat(emoji.compareTo(privateUse)).isNegative(); // UTF-16: a surrogate (D83D) < E000
        assertThat(MessagePosition.byCodePoint(emoji, privateUse)).isPositive(); // code point: 1F680 > E000
    }

    @Test
    void byCodePoint_agreesWithCompareToOnOrdinaryIds() {
        assertThat(MessagePosition.byCodePoint("m-10", "m-9")).isNegative();
        assertThat(MessagePosition.byCodePoint("m", "m-1")).isNegative();
        assertThat(MessagePosition.byCodePoint("ü", "ü")).isZero();
        assertThat(MessagePosition.byCodePoint("z", "ä")).isNegative();
    }
}
