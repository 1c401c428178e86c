package dev.tracestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.Visibility;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.TraceListQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CursorsTest {
    private final TraceListQuery scope = new TraceListQuery("team-42", "codex", Visibility.PUBLIC, null, 51);
    private final Cursors cursors = Cursors.keyedWith("0123456789abcdef".getBytes(StandardCharsets.UTF_8));

    @Test
    void traceCursor_roundTrips() {
        var position = new TraceListQuery.Position(Instant.parse("2026-11-29T10:00:00.123456Z"), 99);
        assertThat(cursors.traces(scope, cursors.traces(scope, position))).isEqualTo(position);
    }

    @Test
    void traceCursor_ofAnotherNamespaceOrFilter_isRejected() {
        String cursor = cursors.traces(scope, new TraceListQuery.Position(Instant.EPOCH, 1));
        for (TraceListQuery other : new TraceListQuery[] {
                new TraceListQuery("team-43", "codex", Visibility.PUBLIC, null, 51),
                new TraceListQuery("team-42", null, Visibility.PUBLIC, null, 51),
                new TraceListQuery("team-42", "codex", null, null, 51)}) {
            assertThatThrownBy(() -> cursors.traces(other, cursor))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this same query");
        }
    }

    @Test
    void messageCursor_roundTripsIdsWithColons_andIsBoundToItsTrace() {
        var position = new MessagePosition(-5, "a:b:c");
        String cursor = cursors.messages(7, position);
        assertThat(cursors.messages(7, cursor)).isEqualTo(position);
        assertThatThrownBy(() -> cursors.messages(8, cursor)).hasMessageContaining("this same trace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%%%", "dDE6", "bTE6eDox", "t1:0:1:2:3", "dDE6MDAwMDAwMDAwMDAwMDAwMDox"})
    void malformedCursor_isRejectedNamingTheField(String cursor) {
        assertThatThrownBy(() -> cursors.traces(scope, cursor))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: ");
    }

    @Test
    void aCursorWithItsPositionAltered_isRejected_evenNamingTheSameQuery() {
        String real = new String(Base64.getUrlDecoder().decode(
                cursors.traces(scope, new TraceListQuery.Position(Instant.EPOCH, 1))), StandardCharsets.UTF_8);
        String tag = real.split(":")[1];
        for (String position : List.of("0:0:2", "0:0:1 OR 1=1", "-1:0:1")) {
            String altered = Base64.getUrlEncoder().encodeToString(("t2:" + tag + ":" + position).getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> cursors.traces(scope, altered))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("as this store issued it");
        }
    }

    @Test
    void aCursorOfAStoreWithAnotherSecret_isRejected_oneWithTheSameSecretAccepted() {
        var position = new TraceListQuery.Position(Instant.parse("2026-11-29T10:00:00Z"), 7);
        String cursor = cursors.traces(scope, position);

        assertThatThrownBy(() -> Cursors.random().traces(scope, cursor)).hasMessageContaining("as this store issued it");
        assertThat(Cursors.keyedWith("0123456789abcdef".getBytes(StandardCharsets.UTF_8)).traces(scope, cursor))
                .isEqualTo(position);
        String messages = cursors.messages(3, new MessagePosition(1, "m"));
        assertThatThrownBy(() -> Cursors.random().messages(3, messages)).hasMessageContaining("as this store issued it");
    }

    @Test
    void aSecretShorterThan128Bits_isRefused() {
        assertThatThrownBy(() -> Cursors.keyedWith(new byte[15])).hasMessageStartingWith("cursorSecret: must be at least 16 bytes");
    }
}
