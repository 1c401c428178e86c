package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.BackfillResult;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceTotals;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The Cassandra storage's recounts under exact interleavings (the weaker recount property: a
 * racing batch may be counted twice until the next recount, never lost) and its totals.
 */
@DisplayName("The Cassandra storage's recounts")
class CassandraRecountTest extends CassandraStorageFixture {
    // ------------------------------------------------------------------ recount

    @Nested
    @DisplayName("Recounting without a lock")
    class Recounting {

        private long seeded(TraceStore store) {
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, messages("m", 0, 10));
            return id;
        }

        @Test
        @DisplayName("is exact when a whole batch lands between its count and its write")
        void batchAfterTheCount() throws Exception {
            TraceStore store = store(storage(session));
            long id = seeded(store);
            Gate gate = new Gate();
            CompletableFuture<Object> recount = inThread(() -> store(storage(gate.over(session,
                    s -> Statements.runs(s, "SET count_offset"), Thread.currentThread()))).recalculateMessageCount(id));
            gate.awaitReached(); // counted 10 rows, read the counter at 10

            store.upsertMessagesBatch(id, messages("n", 0, 5));
            gate.open.countDown();
            recount.get(30, TimeUnit.SECONDS);

            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(15);
        }

        @Test
        @DisplayName("never erases an increment that lands after its counter read: it counts that batch twice,"
                + " too high until the next recount, never too low")
        void incrementAfterTheCounterRead() throws Exception {
            TraceStore store = store(storage(session));
            long id = seeded(store);
            Gate gate = new Gate();
            CompletableFuture<Object> batch = inThread(() -> store(storage(gate.over(session,
                    s -> Statements.runs(s, "message_count = message_count +"), Thread.currentThread())))
                    .upsertMessagesBatch(id, messages("n", 0, 5)));
            gate.awaitReached(); // its messages are stored, its increment not yet

            assertThat(store.recalculateMessageCount(id).count()).isEqualTo(15);
            gate.open.countDown();
            batch.get(30, TimeUnit.SECONDS);

            assertThat(store.getTrace(id).orElseThrow().messageCount()).as("the batch counted twice").isEqualTo(20);
            assertThat(store.recalculateMessageCount(id).drift()).isEqualTo(5);
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(15);
        }

        @Test
        @DisplayName("applies its correction once when two recounts race: the later one wins")
        void concurrentRecounts() throws Exception {
            TraceStore store = store(storage(session));
            long id = seeded(store);
            store.upsertMessagesBatch(id, messages("m", 0, 10)); // re-sent: count 20, rows 10
            CyclicBarrier bothCounted = new CyclicBarrier(2);
            Function<Thread, TraceStore> racing = self -> store(storage(InterceptingSession.over(session, (s, executed) -> {
                if (!executed && Thread.currentThread() == self && Statements.runs(s, "SET count_offset")) {
                    try {
                        bothCounted.await(30, TimeUnit.SECONDS); // both read 20 and counted 10 before either writes
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }
            })));
            CompletableFuture<Object> a = inThread(() -> racing.apply(Thread.currentThread()).recalculateMessageCount(id));
            CompletableFuture<Object> b = inThread(() -> racing.apply(Thread.currentThread()).recalculateMessageCount(id));
            a.get(30, TimeUnit.SECONDS);
            b.get(30, TimeUnit.SECONDS);

            // Adding "rows - counter" to the counter twice would have left 0.
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(10);
        }
    }

    // ------------------------------------------------------------------ totals

    @Nested
    @DisplayName("Totals")
    class Totals {
        private final Instant t1 = Instant.parse("2026-12-01T10:00:00Z");
        private final TokenUsage usage = TokenUsage.of(100, 20).withCache(5, 7);

        private List<MessageInput> twoMessages() {
            return List.of(MessageInput.of("a", 1, Role.USER, "hi").withCreatedAt(t1),
                    MessageInput.of("b", 2, Role.ASSISTANT, "ok").withCreatedAt(t1.plusSeconds(60)).withUsage(usage)
                            .withToolCalls(3));
        }

        private List<Long> counters(long id) {
            Row r = session.execute("SELECT message_count, tool_calls, input_tokens, output_tokens, cache_read_tokens,"
                    + " cache_write_tokens FROM " + KS + ".trace_counts WHERE trace_id = ?", id).one();
            List<Long> values = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                values.add(r.getLong(i));
            }
            return values;
        }

        @Test
        @DisplayName("a batch adds its totals in its one counter write, beside the count; its messages read back with"
                + " their usage and tool calls; a recount after a re-send sets every total from the rows")
        void batchTotalsAndRecount() {
            TraceStore store = store(storage(session));
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();

            store.upsertMessagesBatch(id, twoMessages());

            TraceDetail d = store.getTrace(id).orElseThrow();
            assertThat(List.of(d.messageCount(), d.toolCallCount())).containsExactly(2L, 3L);
            assertThat(d.tokens()).isEqualTo(usage);
            assertThat(d.lastMessageAt()).isEqualTo(t1.plusSeconds(60));
            assertThat(counters(id)).as("the counters, moved by the batch's one increment").containsExactly(2L, 3L, 100L,
                    20L, 5L, 7L);
            assertThat(store.listMessages(id, null, 10).items()).extracting(Message::externalId, Message::usage,
                    Message::toolCalls).containsExactly(tuple("a", null, 0), tuple("b", usage, 3));

            store.upsertMessagesBatch(id, twoMessages().subList(1, 2)); // re-sent: counted and summed twice
            d = store.getTrace(id).orElseThrow();
            assertThat(List.of(d.messageCount(), d.toolCallCount())).containsExactly(3L, 6L);
            assertThat(d.tokens()).isEqualTo(usage.plus(usage));

            Recount fixed = store.recalculateMessageCount(id);
            TraceTotals exact = new TraceTotals(3, usage, t1.plusSeconds(60));
            assertThat(fixed.totals()).isEqualTo(exact);
            assertThat(fixed.previousTotals()).isEqualTo(new TraceTotals(6, usage.plus(usage), t1.plusSeconds(60)));
            assertThat(storage(session).findTrace(id).orElseThrow().totals()).isEqualTo(exact);

            // The recount stored offsets: a later batch still adds on top of the counters.
            store.upsertMessage(id, MessageInput.of("c", 3, Role.ASSISTANT, "done").withCreatedAt(t1.plusSeconds(120))
                    .withUsage(TokenUsage.of(1, 1)).withToolCalls(1));
            assertThat(storage(session).findTrace(id).orElseThrow().totals())
                    .isEqualTo(new TraceTotals(4, usage.plus(TokenUsage.of(1, 1)), t1.plusSeconds(120)));
            assertThat(store.recalculateMessageCount(id).corrected()).isFalse();
        }

        @Test
        @DisplayName("a trace from schema version 1 reads with totals computed from its rows; the backfill finds it"
                + " without a bookkeeping row, and fills them")
        void traceFromVersion1() {
            CassandraTraceStorage storage = storage(session);
            TraceStore store = store(storage);
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, twoMessages());
            TestCassandra.asVersion1(id); // its two messages from before usage existed
            MessageInput later = MessageInput.of("c", 3, Role.ASSISTANT, "done").withCreatedAt(t1.plusSeconds(120))
                    .withUsage(TokenUsage.of(10, 1)).withToolCalls(2);
            store.upsertMessage(id, later); // written after the upgrade, into a trace whose totals are unknown
            TraceTotals fromRows = new TraceTotals(2, TokenUsage.of(10, 1), t1.plusSeconds(120));

            assertThat(storage.findTrace(id).orElseThrow().totals()).as("stored totals: unknown").isNull();
            assertThat(storage.findTrace(id).orElseThrow().messageCount()).isEqualTo(3);
            TraceDetail d = store.getTrace(id).orElseThrow();
            assertThat(new TraceTotals(d.toolCallCount(), d.tokens(), d.lastMessageAt())).isEqualTo(fromRows);
            assertThat(storage.sumMessages(id)).isEqualTo(fromRows);
            assertThat(session.execute("SELECT COUNT(*) FROM " + KS + ".unknown_counts WHERE shard = ? AND trace_id = ?",
                    Bookkeeping.shard(id), id).one().getLong(0)).as("its bookkeeping row").isZero();

            assertThat(storage.tracesWithUnknownCount(0, 100)).containsExactly(id);
            BackfillResult filled = store.backfillMessageCounts(100);

            assertThat(filled.tracesFixed()).isEqualTo(1);
            assertThat(storage.findTrace(id).orElseThrow().totals()).isEqualTo(fromRows);
            assertThat(storage.tracesWithUnknownCount(0, 100)).isEmpty();
            assertThat(storage(session).tracesWithUnknownCount(0, 100)).as("a new storage: the scan is recorded as done")
                    .isEmpty();
        }
    }
}
