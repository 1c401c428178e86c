package dev.tracestore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.ArgumentMatchers.anyLong;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

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
        List<MessageInput> batch = List.of(
                MessageInput.of("c", 1, Role.USER, "c"),
                MessageInput.of("a", 2, Role.ASSISTANT, "first a"),
                MessageInput.of("b", 3, Role.USER, "b"),
                MessageInput.of("a", 4, Role.ASSISTANT, "last a"));

        BatchResult result = store.upsertMessagesBatch(7, batch);

        verify(storage).writeMessages(eq(7L), written.capture(), eq(3L), eq(Instant.parse("2026-11-29T10:00:00.123456Z")));
        verifyNoMoreInteractions(storage);
        assertThat(written.getValue()).extracting(Message::externalId, Message::text)
                .containsExactly(tuple("a", "last a"),
                        tuple("b", "b"), tuple("c", "c"));
        assertThat(result).isEqualTo(new BatchResult(7, 4, 3));
    }

    @Test
    void singleUpsert_addsOneInOneWrite() {
        store.upsertMessage(7, MessageInput.of("a", 1, Role.USER, "hi"));

        verify(storage, times(1)).writeMessages(eq(7L), any(), eq(1L), any());
        verifyNoMoreInteractions(storage);
    }

    @Test
    void emptyBatch_writesNothing() {
        when(storage.findTrace(7)).thenReturn(Optional.of(trace(7, 3L)));

        assertThat(store.upsertMessagesBatch(7, List.of())).isEqualTo(new BatchResult(7, 0, 0));
        verify(storage, never()).writeMessages(anyLong(), any(), anyLong(), any());
    }

    @Test
    void recount_reportsStoredMinusActualAsDrift() {
        when(storage.recount(7)).thenReturn(new RecountResult(12L, 9));
        assertThat(store.recalculateMessageCount(7)).isEqualTo(new Recount(7, 9, 3, false));

        when(storage.recount(8)).thenReturn(new RecountResult(null, 9));
        assertThat(store.recalculateMessageCount(8)).isEqualTo(new Recount(8, 9, 0, true));
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
        when(storage.recount(3)).thenReturn(new RecountResult(null, 1));
        when(storage.recount(5)).thenThrow(new TraceNotFoundException(5));
        when(storage.recount(9)).thenReturn(new RecountResult(null, 4));

        assertThat(store.backfillMessageCounts(2)).isEqualTo(new BackfillResult(2, 2));
    }

    private static StoredTrace trace(long id, Long count) {
        return new StoredTrace(id, "ns", "ext-" + id, null, null, null, Visibility.PRIVATE, null, NOW, NOW, count);
    }
}
