package dev.tracestore.testkit;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Lets the contract kit make a storage fail in the middle of a batch. An adapter's test wiring
 * calls {@link #checkpoint()} wherever a real failure could strike inside a batch's
 * transaction: after each message written (an in-memory store), or at each statement executed
 * (a JDBC store, through a wrapping {@code DataSource} that turns the {@link InjectedFault}
 * into an {@code SQLException}). Unarmed, a checkpoint does nothing. Thread-safe.
 */
public final class FaultInjector {
    private final AtomicInteger countdown = new AtomicInteger(-1);
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

    /**
     * A point where a failure may strike.
     *
     * @throws InjectedFault when this is the armed checkpoint
     */
    public void checkpoint() {
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
