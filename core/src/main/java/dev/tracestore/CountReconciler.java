package dev.tracestore;

import dev.tracestore.internal.Checks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The drift guard: recounts, in the background, the traces that were written since their last
 * recount, so that optimistic counts inflated by re-sent messages converge to the exact count.
 *
 * <p>Enable it with {@link TraceStore.Builder#reconcileCounts(Settings)}; it starts with the
 * store's {@code build()} and stops with {@link TraceStore#close()}. Remembering a written
 * trace costs one in-memory set insertion per batch, no storage access. Each trace is
 * recounted at most once per {@link Settings#interval()}, at most
 * {@link Settings#batchSize()} traces per pass, one {@link TraceStore#recalculateMessageCount}
 * at a time, so no trace lock is held longer than one recount. A trace written during its own
 * recount is remembered again. What is remembered lives in this process only: after a restart,
 * {@link TraceStore#recalculateMessageCount} or a new write brings a trace back.
 *
 * <p>Thread-safe. {@link #runOnce()} runs a pass in the calling thread (for tests, or for a
 * scheduler of the application's own).
 */
public final class CountReconciler implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CountReconciler.class);

    private final TraceStore store;
    private final Clock clock;
    private final Settings settings;
    /** Traces written since their last recount. */
    private final Set<Long> written = ConcurrentHashMap.newKeySet();
    /** When each recently recounted trace was recounted; entries older than the interval are dropped. */
    private final Map<Long, Instant> lastRecount = new ConcurrentHashMap<>();
    private final ScheduledExecutorService scheduler;

    CountReconciler(TraceStore store, Clock clock, Settings settings) {
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tracestore-count-reconciler");
            t.setDaemon(true);
            return t;
        });
        long tick = Math.max(10, Math.min(settings.interval().toMillis() / 4, 60_000));
        scheduler.scheduleWithFixedDelay(this::runQuietly, tick, tick, TimeUnit.MILLISECONDS);
        log.debug("Count reconciler started: interval {}, batch size {}", settings.interval(), settings.batchSize());
    }

    /** Remembers that {@code traceId} was written. Called by the store after each successful write. */
    void written(long traceId) {
        written.add(traceId);
    }

    /** How many written traces wait for a recount. */
    public int pending() {
        return written.size();
    }

    /**
     * Recounts up to {@link Settings#batchSize()} written traces whose last recount is at least
     * {@link Settings#interval()} old, in the calling thread, and reports the pass to the listener.
     */
    public synchronized Report runOnce() {
        long start = System.nanoTime();
        Instant now = clock.instant();
        lastRecount.values().removeIf(at -> !at.plus(settings.interval()).isAfter(now));
        List<Long> due = new ArrayList<>(settings.batchSize());
        for (Long id : written) {
            if (due.size() == settings.batchSize()) {
                break;
            }
            if (!lastRecount.containsKey(id)) {
                due.add(id);
            }
        }
        int fixed = 0;
        long drift = 0;
        int checked = 0;
        for (long id : due) {
            written.remove(id); // a write from now on marks the trace again
            try {
                Recount r = store.recalculateMessageCount(id);
                checked++;
                lastRecount.put(id, now);
                if (r.corrected()) {
                    fixed++;
                    drift += r.drift();
                }
            } catch (TraceNotFoundException deleted) {
                // nothing to reconcile
            } catch (TraceStoreException e) {
                written.add(id);
                log.warn("Count reconciliation of trace {} failed; will retry: {}", id, e.toString());
            }
        }
        Report report = new Report(checked, fixed, drift, written.size());
        if (fixed > 0) {
            log.info("Reconciled message counts: {} traces checked, {} fixed, total drift {}", checked, fixed, drift);
        }
        if (!due.isEmpty()) {
            store.tell(l -> l.reconciled(report, System.nanoTime() - start));
            try {
                settings.listener().accept(report);
            } catch (RuntimeException e) {
                log.warn("Count reconciler listener failed", e);
            }
        }
        return report;
    }

    private void runQuietly() {
        try {
            runOnce();
        } catch (RuntimeException e) {
            log.warn("Count reconciliation pass failed", e);
        }
    }

    /** Stops the background passes, waiting up to 30 seconds for a running one. Idempotent. */
    @Override
    public void close() {
        scheduler.shutdown();
        try {
            if (!scheduler.awaitTermination(30, TimeUnit.SECONDS)) {
                log.warn("Count reconciler did not stop within 30 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        log.debug("Count reconciler stopped");
    }

    /**
     * How the reconciler runs.
     *
     * @param interval  the least time between two recounts of one trace; at least 1 ms
     * @param batchSize the most traces recounted per pass, 1 to 10,000
     * @param listener  told of each pass that recounted something
     */
    public record Settings(Duration interval, int batchSize, Consumer<Report> listener) {

        public Settings {
            Checks.notNull("interval", interval);
            if (interval.toMillis() < 1) {
                throw new IllegalArgumentException("interval: must be at least 1 ms; got " + interval);
            }
            Checks.inRange("batchSize", batchSize, 1, 10_000);
            Checks.notNull("listener", listener);
        }

        /** Recount each written trace at most once per {@code interval}, 100 traces per pass, no listener. */
        public static Settings every(Duration interval) {
            return new Settings(interval, 100, report -> {});
        }

        /** These settings with at most {@code batchSize} traces per pass. */
        public Settings batchSize(int batchSize) {
            return new Settings(interval, batchSize, listener);
        }

        /** These settings reporting each pass to {@code listener} (called on the reconciler's thread). */
        public Settings onReport(Consumer<Report> listener) {
            return new Settings(interval, batchSize, listener);
        }
    }

    /**
     * One pass.
     *
     * @param tracesChecked how many traces were recounted
     * @param tracesFixed   how many had a drift (or an unknown count) that the recount corrected
     * @param totalDrift    the sum of the drifts corrected
     * @param pending       how many written traces still wait for a recount
     */
    public record Report(int tracesChecked, int tracesFixed, long totalDrift, int pending) {
    }
}
