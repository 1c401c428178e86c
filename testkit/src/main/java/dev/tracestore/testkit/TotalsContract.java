package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.TraceTotals;
import dev.tracestore.spi.TraceStorage;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract's tests of what a batch adds besides its count, one caller at a time: the totals
 * (tool calls, tokens, the latest message) and the ingest cursor's exactly-once appends. Part
 * of {@link TraceStorageContract}, which an adapter extends; the counting policy they ride on
 * is {@link PolicyContract}'s.
 */
public abstract class TotalsContract extends PolicyContract {
    // ------------------------------------------------------------------ totals

    @Nested
    @DisplayName("Totals (tool calls, tokens, latest message)")
    class Totals {

        @Test
        @DisplayName("a batch adds its messages' usage and tool calls and raises the latest message, lists and details agreeing")
        void batchAddsItsTotals() {
            long id = trace("s-1").id();
            Instant early = Instant.parse("2026-11-01T10:00:00Z");
            Instant late = Instant.parse("2026-11-02T10:00:00.000001Z");
            store.upsertMessagesBatch(id, List.of(
                    MessageInput.of("a", 1, Role.USER, "q").withCreatedAt(early),
                    MessageInput.of("b", 2, Role.ASSISTANT, "r").withCreatedAt(late).withToolCalls(3)
                            .withUsage(TokenUsage.of(1_000, 200).withCache(50_000, 7_000))));
            // A later batch of earlier messages raises nothing: the latest stays the latest.
            store.upsertMessagesBatch(id, List.of(MessageInput.of("c", 3, Role.ASSISTANT, "s").withCreatedAt(early)
                    .withToolCalls(1).withUsage(TokenUsage.of(10, 20))));

            TraceTotals expected = new TraceTotals(4, new TokenUsage(1_010, 220, 50_000, 7_000), late);
            assertThat(totals(id)).isEqualTo(expected).isEqualTo(rowTotals(id));
            TraceSummary listed = allTraces(TraceQuery.namespace(NS)).get(0);
            assertThat(new TraceTotals(listed.toolCallCount(), listed.tokens(), listed.lastMessageAt()))
                    .as("the list shows what the detail shows").isEqualTo(expected);
            assertThat(storage.findTrace(id).orElseThrow().totals()).as("stored, not computed").isEqualTo(expected);
            assertThat(rows(id)).extracting(Message::usage, Message::toolCalls).containsExactly(
                    tuple(null, 0), tuple(TokenUsage.of(1_000, 200).withCache(50_000, 7_000), 3),
                    tuple(TokenUsage.of(10, 20), 1));
        }

        @Test
        @DisplayName("a trace without messages has no tokens, no tool calls and no latest message")
        void emptyTrace() {
            TraceDetail t = trace("s-1");
            assertThat(t.toolCallCount()).isZero();
            assertThat(t.tokens()).isEqualTo(TokenUsage.NONE);
            assertThat(t.lastMessageAt()).isNull();
        }

        @Test
        @DisplayName("re-sent messages over-count every total by exactly their values; one recount repairs them all")
        void resentOverCountsEveryTotal() {
            long id = trace("s-1").id();
            List<MessageInput> batch = messagesWithUsage("m", 0, 20, new Random(7));
            store.upsertMessagesBatch(id, batch);
            TraceTotals exact = totals(id);
            List<MessageInput> resent = batch.subList(5, 12);
            store.upsertMessagesBatch(id, resent);

            TraceTotals resentTotals = TraceTotals.of(rows(id).subList(5, 12));
            TraceTotals overCounted = exact.plus(resentTotals);
            assertThat(totals(id)).isEqualTo(overCounted);

            Recount r = store.recalculateMessageCount(id);
            assertThat(r.totals()).isEqualTo(exact).isEqualTo(rowTotals(id));
            assertThat(r.previousTotals()).isEqualTo(overCounted);
            assertThat(r.corrected()).isTrue();
            assertThat(totals(id)).isEqualTo(exact);
            assertThat(store.recalculateMessageCount(id).corrected()).as("a second recount finds nothing").isFalse();
        }

        @Test
        @DisplayName("unknown totals (a trace from schema version 1) read as the rows' sums, stay unknown under batches, and the backfill fills them")
        void unknownTotals() throws Exception {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messagesWithUsage("m", 0, 10, new Random(3)));
            forgetTotals(storage, id);
            assertThat(storage.findTrace(id).orElseThrow().totals()).isNull();
            assertThat(totals(id)).as("computed on read").isEqualTo(rowTotals(id));

            store.upsertMessagesBatch(id, messagesWithUsage("n", 10, 5, new Random(4)));
            assertThat(storage.findTrace(id).orElseThrow().totals()).as("an increment leaves unknown totals unknown")
                    .isNull();
            assertThat(totals(id)).isEqualTo(rowTotals(id));
            assertThat(count(id)).as("the count is known and counted as always").isEqualTo(15);

            assertThat(store.backfillMessageCounts(10).tracesFixed()).isEqualTo(1);
            assertThat(storage.findTrace(id).orElseThrow().totals()).isEqualTo(rowTotals(id));
            assertThat(store.backfillMessageCounts(10).tracesFixed()).as("nothing left to fill").isZero();
        }
    }

    // ------------------------------------------------------------------ the ingest cursor

    @Nested
    @DisplayName("The ingest cursor")
    class IngestCursor {

        @Test
        @DisplayName("an append compares and sets the cursor in its one write; a stale one writes nothing and names the stored cursor")
        void compareAndSet() {
            long id = trace("s-1").id();
            assertThat(store.getTrace(id).orElseThrow().ingestCursor()).as("a new trace's").isNull();
            store.appendMessages(id, messages("a", 0, 3), null, "line 3");
            store.appendMessages(id, messages("a", 3, 2), "line 3", "line 5");
            assertThat(store.getTrace(id).orElseThrow().ingestCursor()).isEqualTo("line 5");
            assertThat(count(id)).isEqualTo(5);

            TraceDetail before = store.getTrace(id).orElseThrow();
            assertThatThrownBy(() -> store.appendMessages(id, messages("a", 5, 2), "line 3", "line 7"))
                    .isInstanceOfSatisfying(IngestCursorConflictException.class, e -> {
                        assertThat(e.storedCursor()).isEqualTo("line 5");
                        assertThat(e.expectedCursor()).isEqualTo("line 3");
                        assertThat(e.traceId()).isEqualTo(id);
                    });
            assertThatThrownBy(() -> store.appendMessages(id, messages("a", 5, 2), null, "line 7"))
                    .as("expecting none where one is held").isInstanceOf(IngestCursorConflictException.class);
            if (capabilities().atomicCursorAppend()) {
                assertThat(store.getTrace(id).orElseThrow()).as("nothing written").isEqualTo(before);
                assertThat(rows(id)).hasSize(5);
            } else {
                // The weaker form: the loser's messages may be stored, but nothing of it is counted.
                TraceDetail after = store.getTrace(id).orElseThrow();
                assertThat(after.messageCount()).as("nothing counted").isEqualTo(before.messageCount());
                assertThat(after.tokens()).isEqualTo(before.tokens());
                assertThat(after.toolCallCount()).isEqualTo(before.toolCallCount());
                assertThat(after.ingestCursor()).isEqualTo("line 5");
            }
        }

        @Test
        @DisplayName("batches without a cursor and trace upserts leave it as it is; an empty append moves only the cursor")
        void untouchedByOtherWrites() {
            long id = trace("s-1").id();
            store.appendMessages(id, messages("a", 0, 2), null, "offset 120");
            store.upsertMessagesBatch(id, messages("b", 0, 2));
            store.upsertTrace(TraceInput.of(NS, "s-1").withTitle("renamed"));
            assertThat(store.getTrace(id).orElseThrow().ingestCursor()).isEqualTo("offset 120");

            store.appendMessages(id, List.of(), "offset 120", "offset 200");
            TraceDetail t = store.getTrace(id).orElseThrow();
            assertThat(t.ingestCursor()).isEqualTo("offset 200");
            assertThat(t.messageCount()).isEqualTo(4);
        }

        @Test
        @DisplayName("a batch whose acknowledgement was lost after the commit, sent again, gets the conflict and counts once")
        void lostAcknowledgement() {
            long id = trace("s-1").id();
            AtomicBoolean loseNextAcknowledgement = new AtomicBoolean(true);
            TraceStorage lossy = (TraceStorage) Proxy.newProxyInstance(TraceStorage.class.getClassLoader(),
                    new Class<?>[] {TraceStorage.class}, (proxy, method, args) -> {
                        Object result;
                        try {
                            result = method.invoke(storage, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                        if (method.getName().equals("writeMessages") && loseNextAcknowledgement.getAndSet(false)) {
                            throw new StorageException("the connection dropped after the commit", null);
                        }
                        return result;
                    });
            TraceStore client = TraceStore.builder().storage(lossy).clock(clock).maxTextLength(MAX_TEXT).build();
            List<MessageInput> batch = messagesWithUsage("m", 0, 10, new Random(5));

            assertThatThrownBy(() -> client.appendMessages(id, batch, null, "line 10")).isInstanceOf(StorageException.class);
            assertThatThrownBy(() -> client.appendMessages(id, batch, null, "line 10"))
                    .as("the retry learns that the batch landed")
                    .isInstanceOfSatisfying(IngestCursorConflictException.class,
                            e -> assertThat(e.storedCursor()).isEqualTo("line 10"));
            assertThat(count(id)).as("counted once").isEqualTo(10);
            assertThat(totals(id)).isEqualTo(rowTotals(id));
        }
    }

    // ------------------------------------------------------------------ truncation

    @Nested
    @DisplayName("Truncating a trace")
    class Truncating {

        @Test
        @DisplayName("removes the messages from a sequence on, sets the count and every total to the rest, exactly, and moves the cursor")
        void removesFromASequence() {
            long id = trace("s-1").id();
            store.appendMessages(id, messagesWithUsage("m", 0, 10, new Random(3)), null, "c1");
            store.upsertMessagesBatch(id, messagesWithUsage("m", 0, 3, new Random(3))); // re-sent: count 13 for 10 rows

            Recount r = store.truncateMessages(id, 6, "c1", "c2");

            assertThat(rows(id)).extracting(Message::sequence).containsExactly(0L, 1L, 2L, 3L, 4L, 5L);
            assertThat(r.count()).isEqualTo(6);
            assertThat(r.drift()).as("the count before minus what remains").isEqualTo(13 - 6);
            assertThat(count(id)).isEqualTo(6);
            assertThat(totals(id)).isEqualTo(rowTotals(id)).isEqualTo(r.totals());
            assertThat(store.getTrace(id).orElseThrow().ingestCursor()).isEqualTo("c2");

            store.appendMessages(id, messagesWithUsage("n", 6, 4, new Random(4)), "c2", "c3");
            assertThat(count(id)).as("batches count on from the exact figure").isEqualTo(10).isEqualTo(rows(id).size());
            assertThat(totals(id)).isEqualTo(rowTotals(id));
        }

        @Test
        @DisplayName("from Long.MIN_VALUE it removes every message; the trace stays, with its id")
        void removesEverything() {
            TraceDetail before = trace("s-1");
            store.appendMessages(before.id(), messagesWithUsage("m", 0, 5, new Random(1)), null, "c1");

            store.truncateMessages(before.id(), Long.MIN_VALUE, "c1", "start");

            TraceDetail after = store.findTrace(NS, "s-1").orElseThrow();
            assertThat(after.id()).isEqualTo(before.id());
            assertThat(after.messageCount()).isZero();
            assertThat(after.tokens()).isEqualTo(TokenUsage.NONE);
            assertThat(after.toolCallCount()).isZero();
            assertThat(after.lastMessageAt()).isNull();
            assertThat(rows(before.id())).isEmpty();
        }

        @Test
        @DisplayName("with a stale cursor, on an absent or a deleted trace, it removes nothing")
        void removesNothingWhenRefused() {
            long id = trace("s-1").id();
            store.appendMessages(id, messages("m", 0, 5), null, "c1");
            TraceDetail before = store.getTrace(id).orElseThrow();

            assertThatThrownBy(() -> store.truncateMessages(id, 0, "stale", "c2"))
                    .isInstanceOfSatisfying(IngestCursorConflictException.class, e -> assertThat(e.storedCursor()).isEqualTo("c1"));
            assertThatThrownBy(() -> store.truncateMessages(id, 0, null, "c2")).isInstanceOf(IngestCursorConflictException.class);
            assertThat(store.getTrace(id).orElseThrow()).isEqualTo(before);
            assertThat(rows(id)).hasSize(5);

            assertThatThrownBy(() -> store.truncateMessages(999_999, 0, null, "c2")).isInstanceOf(TraceNotFoundException.class);
            store.deleteTrace(id);
            assertThatThrownBy(() -> store.truncateMessages(id, 0, "c1", "c2")).isInstanceOf(TraceNotFoundException.class);
        }
    }
}
