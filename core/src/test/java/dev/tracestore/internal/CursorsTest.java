package dev.tracestore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.Visibility;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.TraceListQuery;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class CursorsTest {
    private final TraceListQuery scope = new TraceListQuery("team-42", "codex", Visibility.PUBLIC, null, 51);

    @Test
    void traceCursor_roundTrips() {
        var position = new TraceListQuery.Position(Instant.parse("2026-11-29T10:00:00.123456Z"), 99);
        assertThat(Cursors.traces(scope, Cursors.traces(scope, position))).isEqualTo(position);
    }

    @Test
    void traceCursor_ofAnotherNamespaceOrFilter_isRejected() {
        String cursor = Cursors.traces(scope, new TraceListQuery.Position(Instant.EPOCH, 1));
        for (TraceListQuery other : new TraceListQuery[] {
                new TraceListQuery("team-43", "codex", Visibility.PUBLIC, null, 51),
                new TraceListQuery("team-42", null, Visibility.PUBLIC, null, 51),
                new TraceListQuery("team-42", "codex", null, null, 51)}) {
            assertThatThrownBy(() -> Cursors.traces(other, cursor))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("this same query");
        }
    }

    @Test
    void messageCursor_roundTripsIdsWithColons_andIsBoundToItsTrace() {
        var position = new MessagePosition(-5, "a:b:c");
        String cursor = Cursors.messages(7, position);
        assertThat(Cursors.messages(7, cursor)).isEqualTo(position);
        assertThatThrownBy(() -> Cursors.messages(8, cursor)).hasMessageContaining("this same trace");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "%%%", "dDE6", "bTE6eDox", "t1:0:1:2:3", "dDE6MDAwMDAwMDAwMDAwMDAwMDox"})
    void malformedCursor_isRejectedNamingTheField(String cursor) {
        assertThatThrownBy(() -> Cursors.traces(scope, cursor))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: ");
    }

    @Test
    void craftedCursorWithTheRightFingerprint_butNonNumericValues_isRejected() {
        String real = new String(Base64.getUrlDecoder().decode(
                Cursors.traces(scope, new TraceListQuery.Position(Instant.EPOCH, 1))), StandardCharsets.UTF_8);
        String fingerprint = real.split(":")[1];
        String crafted = Base64.getUrlEncoder().encodeToString(
                ("t1:" + fingerprint + ":0:0:1 OR 1=1").getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> Cursors.traces(scope, crafted))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("cursor: must be a cursor");
    }
}
