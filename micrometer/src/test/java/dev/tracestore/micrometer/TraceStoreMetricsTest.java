package dev.tracestore.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.CountReconciler;
import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreListener;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The meters after a known sequence of calls, drift repaired by a recount included. */
class TraceStoreMetricsTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).maxTextLength(100)
            .listener(TraceStoreMetrics.of(registry, Tags.of("storage", "memory")))
            .reconcileCounts(CountReconciler.Settings.every(Duration.ofHours(1))).build();

    private long writes(String operation, String outcome) {
        return registry.get("tracestore.writes").tags("operation", operation, "outcome", outcome).timer().count();
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private static MessageInput message(String id, long sequence) {
        return MessageInput.of(id, sequence, Role.ASSISTANT, "text " + id);
    }

    @Test
    void metersAfterAKnownSequence() {
        long id = store.upsertTrace(TraceInput.of("ns", "session")).id();
        List<MessageInput> batch = List.of(message("a", 1).withUsage(TokenUsage.of(10, 20).withCache(300, 4)),
                message("b", 2), message("c", 3));
        store.upsertMessagesBatch(id, batch);
        store.upsertMessagesBatch(id, batch); // re-sent: the count drifts by 3
        store.upsertMessage(id, message("d", 4));
        assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("e", 5, Role.USER, "x".repeat(101))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.upsertMessage(999, message("f", 6))).isInstanceOf(TraceNotFoundException.class);
        store.appendMessages(id, List.of(message("g", 7)), null, "c1");
        assertThatThrownBy(() -> store.appendMessages(id, List.of(message("g", 7)), null, "c1"))
                .isInstanceOf(IngestCursorConflictException.class);

        assertThat(store.recalculateMessageCount(id).drift()).isEqualTo(3);
        store.recalculateMessageCount(id); // exact now: nothing to record as drift
        store.truncateMessages(id, 4, "c1", "c2"); // removes d and g: not drift
        store.upsertMessagesBatch(id, List.of(message("a", 1))); // drifts by 1 again, which the drift guard repairs
        store.reconciler().orElseThrow().runOnce();
        store.backfillMessageCounts(10);
        store.deleteTrace(id);

        assertThat(writes("batch", "success")).isEqualTo(3);
        assertThat(writes("message", "success")).isEqualTo(1);
        assertThat(writes("message", "invalid")).isEqualTo(1);
        assertThat(writes("message", "not_found")).isEqualTo(1);
        assertThat(writes("append", "success")).isEqualTo(1);
        assertThat(writes("append", "cursor_conflict")).isEqualTo(1);
        assertThat(counter("tracestore.messages.written", "operation", "batch")).isEqualTo(7);
        assertThat(counter("tracestore.messages.written", "operation", "message")).isEqualTo(1);
        assertThat(counter("tracestore.messages.written", "operation", "append")).isEqualTo(1);
        assertThat(counter("tracestore.tokens.written", "kind", "input")).isEqualTo(20);
        assertThat(counter("tracestore.tokens.written", "kind", "output")).isEqualTo(40);
        assertThat(counter("tracestore.tokens.written", "kind", "cache_read")).isEqualTo(600);
        assertThat(counter("tracestore.tokens.written", "kind", "cache_write")).isEqualTo(8);

        assertThat(registry.get("tracestore.recounts").tags("kind", "recount", "outcome", "success").timer().count())
                .as("two by hand, one by the drift guard").isEqualTo(3);
        assertThat(registry.get("tracestore.recounts").tags("kind", "truncation", "outcome", "success").timer().count()).isEqualTo(1);
        var drift = registry.get("tracestore.recount.drift").summary();
        assertThat(drift.count()).as("the corrections: 3, then the drift guard's 1").isEqualTo(2);
        assertThat(drift.totalAmount()).isEqualTo(4);
        assertThat(drift.max()).isEqualTo(3);

        assertThat(registry.get("tracestore.reconciler.passes").timer().count()).isEqualTo(1);
        assertThat(counter("tracestore.reconciler.traces", "result", "checked")).isEqualTo(1);
        assertThat(counter("tracestore.reconciler.traces", "result", "fixed")).isEqualTo(1);
        assertThat(registry.get("tracestore.backfills").timer().count()).isEqualTo(1);
        assertThat(registry.get("tracestore.deletions").tags("outcome", "success").timer().count()).isEqualTo(1);
        assertThat(counter("tracestore.messages.deleted")).isEqualTo(3);
    }

    @Test
    void everyMeterIsRegisteredUpFront_withLowCardinalityTagsOnly() {
        store.upsertMessage(store.upsertTrace(TraceInput.of("a-namespace", "a-session")).id(), message("a", 1));

        List<Meter> meters = registry.getMeters();
        assertThat(meters).hasSize(15 + 3 + 4 + 10 + 1 + 5 + 1 + 1 + 2 + 1 + 1);
        Set<String> keys = Set.of("storage", "operation", "outcome", "kind", "result");
        for (Meter m : meters) {
            assertThat(m.getId().getName()).startsWith("tracestore.");
            m.getId().getTags().forEach(t -> {
                assertThat(keys).contains(t.getKey());
                assertThat(t.getValue()).doesNotContain("namespace", "session");
            });
        }
    }

    @Test
    void aListenerThatThrowsNeverFailsTheStore() {
        TraceStore failing = TraceStore.builder().storage(InMemoryTraceStorage.create()).listener(new TraceStoreListener() {
            @Override
            public void written(Write write) {
                throw new IllegalStateException("a broken listener");
            }
        }).build();
        long id = failing.upsertTrace(TraceInput.of("ns", "s")).id();

        assertThat(failing.upsertMessagesBatch(id, List.of(message("a", 1))).countIncrement()).isEqualTo(1);
        assertThat(failing.getTrace(id).orElseThrow().messageCount()).isEqualTo(1);
    }
}
