package dev.tracestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.Mockito.mock;

import dev.tracestore.spi.TraceStorage;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TraceStoreBuilderTest {
    private final TraceStorage storage = mock(TraceStorage.class);

    @Test
    void build_withStorageOnly_usesDefaults() {
        assertThat(TraceStore.builder().storage(storage).build()).isNotNull();
    }

    @Test
    void build_withoutStorage_namesTheSetting() {
        assertThatThrownBy(() -> TraceStore.builder().build())
                .isInstanceOf(IllegalArgumentException.class).hasMessage("storage: must not be null");
    }

    static Stream<Arguments> invalidSettings() {
        return Stream.of(
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.clock(null), "clock: must not be null"),
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.maxBatchSize(0),
                        "maxBatchSize: must be between 1 and 100000; got 0"),
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.maxBatchSize(100_001),
                        "maxBatchSize: must be between 1 and 100000; got 100001"),
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.maxTextLength(-1),
                        "maxTextLength: must be between 1 and 1073741824; got -1"),
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.maxIdLength(256),
                        "maxIdLength: must be between 1 and 255; got 256"),
                Arguments.of((UnaryOperator<TraceStore.Builder>) b -> b.deletionChunkSize(0),
                        "deletionChunkSize: must be between 1 and 100000; got 0"));
    }

    @ParameterizedTest
    @MethodSource("invalidSettings")
    void build_withInvalidSetting_namesTheSettingAndValue(UnaryOperator<TraceStore.Builder> setting, String message) {
        TraceStore.Builder builder = setting.apply(TraceStore.builder().storage(storage));
        assertThatThrownBy(builder::build).isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
