package dev.tracestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceStorage;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.mockito.InOrder;

/** The counting policy as the core applies it, checked at the SPI boundary. */
class TraceStorePolicyTest {
    private static final Instant NOW = Instant.parse("2026-11-29T10:00:00.123456789Z");
    private final TraceStorage storage = mock(TraceStorage.class);
    private final TraceStore store = TraceStore.builder().storage(storage)
            .clock(Clock.fixed(NOW, ZoneOffset.UTC)).deletionChunkSize(10).build();

    @SuppressWarnings("unchecked")
    private final ArgumentCaptor<List<Message>> written = ArgumentCaptor.forClass(List.class);

    @Test
    void batch_isOneStorageWriteOfDistinctIdsSortedWithTheirCount_neverAskingWhatExists() {
        Instant late = Instant.parse("2026-11-30T08:00:00Z");
        List<MessageInput> batch = List.of(
                MessageInput.of("c", 1, Role.USER, "c").withUsage(TokenUsage.of(10, 0)),
                MessageInput.of("a", 2, Role.ASSISTANT, "first a").withUsage(TokenUsage.of(1000, 1000)).withToolCalls(9)
                        .withCreatedAt(Instant.parse("2026-12-31T00:00:00Z")),
                MessageInput.of("b", 3, Role.USER, "b").withCreatedAt(late),
                MessageInput.of("a", 4, Role.ASSISTANT, "last a").withUsage(TokenUsage.of(5, 7).withCache(100, 3))
                        .withToolCalls(2));

        BatchResult result = store.upsertMessagesBatch(7, batch);

        // The totals of the kept messages only: "first a" collapsed into "last a", its usage, tool
        // calls and instant with it; messages without usage add nothing; the latest instant is b's.
        TraceTotals added = new TraceTotals(2, new TokenUsage(15, 7, 100, 3), late);
        verify(storage).writeMessages(eq(7L), written.capture(), eq(3L), eq(added), isNull(),
                eq(Instant.parse("2026-11-29T10:00:00.123456Z")));
        verifyNoMoreInteractions(storage);
        assertThat(written.getValue()).extracting(Message::externalId, Message::text)
                .containsExactly(tuple("a", "last a"),
                        tuple("b", "b"), tuple("c", "c"));
        assertThat(result).isEqualTo(new BatchResult(7, 4, 3));
    }

    @Test
    void append_sendsTheCursorMoveInTheSameWrite_andAnEmptyAppendMovesOnlyTheCursor() {
        store.appendMessages(7, List.of(MessageInput.of("a", 1, Role.USER, "hi")), "line 10", "line 11");
        verify(storage).writeMessages(eq(7L), any(), eq(1L), any(), eq(new CursorMove("line 10", "line 11")), any());

        store.appendMessages(7, List.of(), null, "line 1");
        verify(storage).writeMessages(eq(7L), eq(List.of()), eq(0L), eq(TraceTotals.NONE), eq(new CursorMove(null, "line 1")),
                any());
        verifyNoMoreInteractions(storage);
    }

    @Test
    void append_refusesBadCursors_writingNothing() {
        List<MessageInput> one = List.of(MessageInput.of("a", 1, Role.USER, "hi"));
        assertThatThrownBy(() -> store.appendMessages(7, one, "c1", null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("newCursor: must not be null");
        assertThatThrownBy(() -> store.appendMessages(7, one, null, "x".repeat(TraceStore.MAX_CURSOR_LENGTH + 1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("newCursor: must be at most 1000");
        assertThatThrownBy(() -> store.appendMessages(7, one, "bad \uD800", "c2"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("expectedCursor:");
        assertThatThrownBy(() -> store.appendMessages(7, one, null, " "))
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("newCursor: must not be blank");
        verifyNoInteractions(storage);
    }

    @Test
    void badMessage_namesItsPlaceInTheBatch_writingNothing() {
        TraceStore small = TraceStore.builder().storage(storage).maxTextLength(10).build();
        List<MessageInput> batch = List.of(MessageInput.of("a", 1, Role.USER, "short"),
                MessageInput.of("b", 2, Role.USER, "far too long a text"), MessageInput.of("c", 3, Role.USER, "ok"));

        assertThatThrownBy(() -> small.upsertMessagesBatch(7, batch)).isInstanceOfSatisfying(InvalidMessageException.class,
                e -> assertThat(e.index()).isEqualTo(1)).hasMessageStartingWith("messages[1].text: must be at most 10");
        assertThatThrownBy(() -> small.appendMessages(7, List.of(batch.get(0), MessageInput.of("d", 4, Role.USER, "[")
                .withPartsJson("[")), null, "c1")).isInstanceOfSatisfying(InvalidMessageException.class,
                e -> assertThat(e.index()).isEqualTo(1));
        verifyNoInteractions(storage);
    }

    @Test
    void singleUpsert_addsOneInOneWrite() {
        store.upsertMessage(7, MessageInput.of("a", 1, Role.USER, "hi"));

        verify(storage, times(1)).writeMessages(eq(7L), any(), eq(1L), any(), isNull(), any());
        verifyNoMoreInteractions(storage);
    }

    @Test
    void emptyBatch_writesNothing() {
        when(storage.findTrace(7)).thenReturn(Optional.of(trace(7, 3L)));

        assertThat(store.upsertMessagesBatch(7, List.of())).isEqualTo(new BatchResult(7, 0, 0));
        verify(storage, never()).writeMessages(anyLong(), any(), anyLong(), any(), any(), any());
    }

    @Test
    void recount_reportsStoredMinusActualAsDrift() {
        TraceTotals stored = new TraceTotals(5, TokenUsage.of(100, 10), NOW);
        TraceTotals actual = new TraceTotals(4, TokenUsage.of(80, 10), NOW);
        when(storage.recount(7)).thenReturn(new RecountResult(12L, 9, stored, actual));
        Recount r = store.recalculateMessageCount(7);
        assertThat(r).isEqualTo(new Recount(7, 9, 3, false, actual, stored));
        assertThat(r.corrected()).isTrue();

        when(storage.recount(8)).thenReturn(new RecountResult(null, 9, null, actual));
        assertThat(store.recalculateMessageCount(8)).isEqualTo(new Recount(8, 9, 0, true, actual, null));

        when(storage.recount(9)).thenReturn(new RecountResult(9L, 9, actual, actual));
        assertThat(store.recalculateMessageCount(9).corrected()).as("nothing drifted").isFalse();
        when(storage.recount(10)).thenReturn(new RecountResult(9L, 9, stored, actual));
        assertThat(store.recalculateMessageCount(10).corrected()).as("only the totals drifted").isTrue();
    }

    @Test
    void unknownTotals_areComputedOnRead_knownOnesAreNot() {
        TraceTotals sums = new TraceTotals(3, TokenUsage.of(10, 20), NOW);
        when(storage.findTrace(7)).thenReturn(Optional.of(new StoredTrace(7, "ns", "ext-7", null, null, null,
                Visibility.PRIVATE, null, NOW, NOW, 4L, null, null, null)));
        when(storage.sumMessages(7)).thenReturn(sums);
        when(storage.findTrace(8)).thenReturn(Optional.of(trace(8, 5L)));

        TraceDetail unknown = store.getTrace(7).orElseThrow();
        assertThat(unknown.toolCallCount()).isEqualTo(3);
        assertThat(unknown.tokens()).isEqualTo(TokenUsage.of(10, 20));
        assertThat(unknown.lastMessageAt()).isEqualTo(NOW);
        assertThat(store.getTrace(8).orElseThrow().tokens()).isEqualTo(TokenUsage.NONE);
        verify(storage, never()).sumMessages(8);
    }

    @Test
    void unknownCount_isComputedOnRead_knownCountIsNot() {
        when(storage.findTrace(7)).thenReturn(Optional.of(trace(7, null)));
        when(storage.countMessages(7)).thenReturn(42L);
        when(storage.findTrace(8)).thenReturn(Optional.of(trace(8, 5L)));

        assertThat(store.getTrace(7).orElseThrow().messageCount()).isEqualTo(42);
        assertThat(store.getTrace(8).orElseThrow().messageCount()).isEqualTo(5);
        verify(storage, never()).countMessages(8);
    }

    @Test
    void delete_tombstonesThenDeletesChunksThenTheRow() {
        when(storage.markDeleting(7)).thenReturn(true);
        when(storage.deleteMessages(7, 10)).thenReturn(10, 10, 3);

        assertThat(store.deleteTrace(7)).isEqualTo(new DeleteResult(7, true, 23));

        InOrder order = inOrder(storage);
        order.verify(storage).markDeleting(7);
        order.verify(storage, times(3)).deleteMessages(7, 10);
        order.verify(storage).removeTrace(7);
        verifyNoMoreInteractions(storage);
    }

    @Test
    void delete_ofAbsentTrace_touchesNothingElse() {
        assertThat(store.deleteTrace(7)).isEqualTo(new DeleteResult(7, false, 0));
        verify(storage).markDeleting(7);
        verify(storage, never()).deleteMessages(anyLong(), anyInt());
        verify(storage, never()).removeTrace(anyLong());
    }

    @Test
    void backfill_recountsOnlyUnknownCounts_andSkipsTracesDeletedMeanwhile() {
        when(storage.tracesWithUnknownCount(0, 2)).thenReturn(List.of(3L, 5L));
        when(storage.tracesWithUnknownCount(5, 2)).thenReturn(List.of(9L));
        when(storage.tracesWithUnknownCount(9, 2)).thenReturn(List.of());
        when(storage.recount(3)).thenReturn(new RecountResult(null, 1, TraceTotals.NONE, TraceTotals.NONE));
        when(storage.recount(5)).thenThrow(new TraceNotFoundException(5));
        when(storage.recount(9)).thenReturn(new RecountResult(4L, 4, null, TraceTotals.NONE)); // totals unknown

        assertThat(store.backfillMessageCounts(2)).isEqualTo(new BackfillResult(2, 2));
    }

    @Test
    void shareToken_isMadeWithOneConditionalWrite_andAStorageThatNeverSetsOneFailsInsteadOfSpinning() {
        StoredTrace unlisted = new StoredTrace(7, "ns", "ext-7", null, null, null, Visibility.UNLISTED, null, NOW, NOW,
                0L, TraceTotals.NONE, null, null);
        when(storage.findTrace(7)).thenReturn(Optional.of(unlisted));
        ArgumentCaptor<dev.tracestore.spi.ShareToken> made = ArgumentCaptor.forClass(dev.tracestore.spi.ShareToken.class);
        when(storage.createShareToken(eq(7L), made.capture())).thenReturn(false); // as if revoked at once, every time

        assertThatThrownBy(() -> store.shareToken(7)).isInstanceOf(StorageException.class)
                .hasMessage("sharing trace 7 did not settle after 100 rounds of concurrent changes to its token");
        verify(storage, times(99)).createShareToken(eq(7L), any());
        assertThat(made.getAllValues()).allSatisfy(t -> {
            assertThat(t.key()).hasSize(16).matches("[A-Za-z0-9_-]+");
            assertThat(t.secret()).hasSize(24).matches("[A-Za-z0-9_-]+");
            assertThat(t.toString()).doesNotContain(t.secret());
        }).extracting(dev.tracestore.spi.ShareToken::key).doesNotHaveDuplicates();
    }

    private static StoredTrace trace(long id, Long count) {
        return new StoredTrace(id, "ns", "ext-" + id, null, null, null, Visibility.PRIVATE, null, NOW, NOW, count,
                TraceTotals.NONE, null, null);
    }
}
