package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.TraceStorage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.IntConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture of {@link TraceStorageContract}: a fresh storage and store for each test, the
 * adapter's hooks and the helpers the contract's tests share. Part of the kit's one contract,
 * split across classes by subject; an adapter extends {@link TraceStorageContract}.
 */
public abstract class ContractFixture {
    /** The namespace most tests write to. */
    protected static final String NS = "team-42";
    /** The kit's text limit, smaller than the default to keep test data small. */
    protected static final int MAX_TEXT = 10_000;
    /** The kit's deletion chunk size: small, so that every deletion takes several chunks. */
    protected static final int CHUNK = 7;
    protected static final Duration CONCURRENCY_TIMEOUT = Duration.ofMinutes(3);

    protected MutableClock clock;
    protected FaultInjector faults;
    protected TraceStorage storage;
    protected TraceStore store;

    /**
     * A fresh, empty storage for one test. Its test wiring calls {@code faults.checkpoint()}
     * at each point where a failure can strike inside a batch (see {@link FaultInjector}).
     */
    protected abstract TraceStorage createStorage(FaultInjector faults) throws Exception;

    /**
     * Sets the trace's stored count to unknown (null), as rows written before counts existed
     * have it, bypassing the core.
     */
    protected abstract void forgetMessageCount(TraceStorage storage, long traceId) throws Exception;

    /**
     * Sets the trace's stored totals to unknown, as a trace written under schema version 1
     * (before totals existed) has them, bypassing the core.
     */
    protected abstract void forgetTotals(TraceStorage storage, long traceId) throws Exception;

    /**
     * How many messages of the trace the storage holds, counted in the storage itself (a
     * {@code COUNT(*)} of the messages table, the size of a map), whatever state the trace row
     * is in: it must be able to see messages that the API would no longer show, such as those
     * of a deleted trace.
     */
    protected abstract long storedMessages(TraceStorage storage, long traceId);

    /**
     * How many transactions the adapter has run again, since {@code storage} was created, after
     * a deadlock, a lock timeout or a serialization failure; the kit asserts after every test
     * that there were none, since a retried conflict is a lock-order flaw hidden behind a
     * successful call. An adapter that never retries returns 0, the default.
     */
    protected long retriedTransactions(TraceStorage storage) {
        return 0;
    }

    /**
     * Which properties the adapter keeps as written and which in their named weaker form; by
     * default {@link StorageCapabilities#strict()}, every property as written.
     */
    protected StorageCapabilities capabilities() {
        return StorageCapabilities.strict();
    }

    /** Releases what {@link #createStorage} acquired. Does nothing by default. */
    protected void closeStorage(TraceStorage storage) throws Exception {
    }

    @BeforeEach
    void openStore() throws Exception {
        clock = new MutableClock(Instant.parse("2026-11-29T08:00:00.123456Z"));
        faults = new FaultInjector();
        storage = createStorage(faults);
        store = TraceStore.builder()
                .storage(storage)
                .clock(clock)
                .maxTextLength(MAX_TEXT)
                .deletionChunkSize(CHUNK)
                .build();
    }

    @AfterEach
    void closeStore() throws Exception {
        faults.disarm();
        long retried = retriedTransactions(storage);
        closeStorage(storage);
        assertThat(retried).as("transactions the storage ran again after a deadlock, lock timeout or"
                + " serialization failure").isZero();
    }

    // ------------------------------------------------------------------ helpers

    /** Creates a trace in {@link #NS}. */
    protected TraceDetail trace(String externalId) {
        return store.upsertTrace(TraceInput.of(NS, externalId).withTitle("Trace " + externalId)
                .withAgent("claude-code").withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC));
    }

    /** {@code n} messages with ids {@code prefix-from} … {@code prefix-(from+n-1)}, sequences = their numbers. */
    protected static List<MessageInput> messages(String prefix, int from, int n) {
        List<MessageInput> list = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            list.add(MessageInput.of(prefix + "-" + i, i, i % 2 == 0 ? Role.USER : Role.ASSISTANT, "text " + i));
        }
        return list;
    }

    /**
     * {@code n} messages as {@link #messages} makes them, each with a token usage and tool calls
     * drawn from {@code random} (a fifth of them without usage, as agents leave some lines).
     */
    protected static List<MessageInput> messagesWithUsage(String prefix, int from, int n, Random random) {
        List<MessageInput> list = new ArrayList<>(n);
        for (MessageInput m : messages(prefix, from, n)) {
            TokenUsage usage = random.nextInt(5) == 0 ? null : new TokenUsage(random.nextInt(5_000),
                    random.nextInt(2_000), random.nextInt(100_000), random.nextInt(3_000));
            list.add(m.withUsage(usage).withToolCalls(random.nextInt(4)));
        }
        return list;
    }

    /** The totals as a detail shows them: cached, or computed from the rows where unknown. */
    protected TraceTotals totals(long traceId) {
        TraceDetail d = store.getTrace(traceId).orElseThrow();
        return new TraceTotals(d.toolCallCount(), d.tokens(), d.lastMessageAt());
    }

    /** The totals of the stored rows, summed here from every message read back: the truth the totals are checked against. */
    protected TraceTotals rowTotals(long traceId) {
        return TraceTotals.of(rows(traceId));
    }

    /** The cached count, as a detail shows it. */
    protected long count(long traceId) {
        return store.getTrace(traceId).orElseThrow().messageCount();
    }

    /** Every stored message of the trace, read page by page: the truth the count is checked against. */
    protected List<Message> rows(long traceId) {
        return allMessages(store, traceId);
    }

    /** Every message of a trace, read page by page through {@code store}, for adapters' own tests too. */
    public static List<Message> allMessages(TraceStore store, long traceId) {
        List<Message> all = new ArrayList<>();
        String cursor = null;
        do {
            Page<Message> page = store.listMessages(traceId, cursor, 1000);
            all.addAll(page.items());
            cursor = advanced(cursor, page);
        } while (cursor != null);
        return all;
    }

    /** The page's next cursor; fails, rather than reading forever, when the listing does not advance. */
    private static String advanced(String cursor, Page<?> page) {
        String next = page.nextCursor();
        if (next != null && (page.items().isEmpty() || next.equals(cursor))) {
            throw new AssertionError("a listing that does not advance: page of " + page.items().size()
                    + " items, next cursor " + (next.equals(cursor) ? "unchanged" : next));
        }
        return next;
    }

    /** Every trace of a namespace, read page by page. */
    protected List<TraceSummary> allTraces(TraceQuery query) {
        List<TraceSummary> all = new ArrayList<>();
        TraceQuery q = query;
        while (true) {
            Page<TraceSummary> page = store.listTraces(q);
            all.addAll(page.items());
            if (!page.hasMore()) {
                return all;
            }
            q = q.after(advanced(q.cursor(), page));
        }
    }

    /** Runs {@code task(i)} for i in [0, threads) on that many threads started together; rethrows failures. */
    protected static void concurrently(int threads, IntConsumer task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                futures.add(pool.submit(() -> {
                    start.await();
                    task.accept(id);
                    return null;
                }));
            }
            start.countDown();
            long deadline = System.nanoTime() + CONCURRENCY_TIMEOUT.toNanos();
            for (Future<?> f : futures) {
                try {
                    f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("threads still running after " + CONCURRENCY_TIMEOUT
                            + ": a deadlock or a lost wake-up", e);
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

}
