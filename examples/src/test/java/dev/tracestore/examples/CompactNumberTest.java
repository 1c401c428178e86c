package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CompactNumberTest {

    @ParameterizedTest(name = "{0} is written {1}")
    @CsvSource({
            "0, 0", "87, 87", "999, 999",
            "1000, 1K", "1049, 1K", "1050, 1.1K", "1284, 1.3K", "39476, 39.5K", "240979, 241K", "999949, 999.9K",
            "999950, 1M", "2100000, 2.1M", "2149999, 2.1M", "2150000, 2.2M", "999950000, 1B", "4000000000, 4B",
            "1500000000000, 1500B", "9223372036854775807, 9223372036.9B"})
    void format(long n, String expected) {
        assertThat(CompactNumber.format(n)).isEqualTo(expected);
    }

    @Test
    void format_negative_isRejectedNamingTheValue() {
        assertThatThrownBy(() -> CompactNumber.format(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("n: must not be negative; got -1");
    }
}
