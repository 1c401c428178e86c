package dev.tracestore.storage.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Writers to different traces never wait for each other: there is no global lock; and a batch
 * still running shows no count of its own to readers.
 */
class PerTraceLockingTest {

    @Test
    void batchStalledInsideOneTrace_doesNotBlockWritesOrReadsOfAnother() throws Exception {
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        Thread[] staller = new Thread[1];
        InMemoryTraceStorage storage = InMemoryTraceStorage.withWriteHook(() -> {
            if (Thread.currentThread() == staller[0]) {
                stalled.countDown();
                await(release);
            }
        });
        TraceStore store = TraceStore.builder().storage(storage).build();
        long slow = store.upsertTrace(TraceInput.of("ns", "slow")).id();
        long other = store.upsertTrace(TraceInput.of("ns", "other")).id();

        staller[0] = new Thread(() -> store.upsertMessagesBatch(slow, List.of(MessageInput.of("a", 1, Role.USER, "a"))));
        staller[0].start();
        assertThat(stalled.await(10, TimeUnit.SECONDS)).isTrue();

        // While the slow batch holds its trace, everything about another trace proceeds.
        CompletableFuture<Long> elsewhere = CompletableFuture.supplyAsync(() -> {
            store.upsertMessagesBatch(other, List.of(MessageInput.of("b", 1, Role.USER, "b")));
            store.upsertTrace(TraceInput.of("ns", "third"));
            store.recalculateMessageCount(other);
            store.listTraces(TraceQuery.namespace("ns"));
            return store.getTrace(other).orElseThrow().messageCount();
        });
        assertThat(elsewhere.get(10, TimeUnit.SECONDS)).isEqualTo(1);
        // A reader of the held trace's row takes no lock, and sees the count as it was before the batch.
        assertThat(store.getTrace(slow).orElseThrow().messageCount()).as("count during the held batch").isZero();

        release.countDown();
        staller[0].join(10_000);
        assertThat(staller[0].isAlive()).as("the held batch finished after its release").isFalse();
        assertThat(store.getTrace(slow).orElseThrow().messageCount()).isEqualTo(1);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
