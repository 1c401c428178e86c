package dev.tracestore.testkit;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Lets the contract kit make a storage fail, or stall, in the middle of a batch. An adapter's
 * test wiring calls {@link #checkpoint()} wherever a real failure could strike inside a batch's
 * transaction: after each message written (an in-memory store), or at each statement executed
 * and each commit (a JDBC store, through a wrapping {@code DataSource} that turns the
 * {@link InjectedFault} into an {@code SQLException}). Unarmed, a checkpoint does nothing but
 * count. Thread-safe.
 */
public final class FaultInjector {
    private static final Duration LONGEST_STALL = Duration.ofMinutes(2);

    private final AtomicInteger countdown = new AtomicInteger(-1);
    private final AtomicInteger reached = new AtomicInteger();
    private final AtomicReference<Stall> stall = new AtomicReference<>();
    private volatile boolean fired;

    /** Arms the injector: the {@code n}-th checkpoint from now throws, once. */
    public void failAt(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n: must be at least 1; got " + n);
        }
        fired = false;
        countdown.set(n);
    }

    /** Disarms the injector. */
    public void disarm() {
        countdown.set(-1);
    }

    /** Whether the armed fault has been thrown since {@link #failAt(int)}. */
    public boolean fired() {
        return fired;
    }

    /** How many checkpoints have been reached, by any thread, since this injector was made. */
    public int reached() {
        return reached.get();
    }

    /**
     * Arms a stall: the thread that reaches the {@code n}-th checkpoint from now waits there,
     * inside the storage's work, until {@link Stall#release()} (at most two minutes, then it
     * fails). One stall at a time.
     */
    public Stall stallAt(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("n: must be at least 1; got " + n);
        }
        Stall armed = new Stall(n);
        if (!stall.compareAndSet(null, armed)) {
            throw new IllegalStateException("a stall is already armed");
        }
        return armed;
    }

    /** A thread held at a checkpoint, from {@link #stallAt(int)}. */
    public final class Stall {
        private final AtomicInteger countdown;
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        private Stall(int n) {
            this.countdown = new AtomicInteger(n);
        }

        /** Waits until a thread is held at the stall's checkpoint; false if none is within {@code timeout}. */
        public boolean awaitHeld(Duration timeout) throws InterruptedException {
            return held.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
        }

        /** Lets the held thread go on (or the thread that reaches the checkpoint later not stop); disarms. */
        public void release() {
            stall.compareAndSet(this, null);
            released.countDown();
        }

        private void reach() {
            if (countdown.decrementAndGet() != 0) {
                return;
            }
            held.countDown();
            try {
                if (!released.await(LONGEST_STALL.toNanos(), TimeUnit.NANOSECONDS)) {
                    throw new IllegalStateException("a stalled checkpoint was not released within " + LONGEST_STALL);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while stalled at a checkpoint", e);
            }
        }
    }

    /**
     * A point where a failure may strike.
     *
     * @throws InjectedFault when this is the armed checkpoint
     */
    public void checkpoint() {
        reached.incrementAndGet();
        Stall armed = stall.get();
        if (armed != null) {
            armed.reach();
        }
        int left = countdown.get();
        while (left > 0) {
            if (countdown.compareAndSet(left, left - 1)) {
                if (left == 1) {
                    fired = true;
                    throw new InjectedFault();
                }
                return;
            }
            left = countdown.get();
        }
    }
}
