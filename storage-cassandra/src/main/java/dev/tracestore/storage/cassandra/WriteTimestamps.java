package dev.tracestore.storage.cassandra;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cassandra write timestamps: epoch microseconds from the system clock, strictly increasing
 * within this storage (as the driver's own atomic timestamp generator makes them). Cassandra
 * resolves concurrent writes to a cell by these timestamps, and a deletion's tombstone shadows
 * every write with an older one: the storage takes a write's timestamp before it checks the
 * trace it writes to, which is what lets a deletion fence off writers that checked the trace
 * before it was hidden. They are real time, unlike the instants the core stamps traces and
 * messages with (its clock may be a test's). Thread-safe.
 */
final class WriteTimestamps {
    private final Clock clock;
    private final AtomicLong last = new AtomicLong(Long.MIN_VALUE);

    WriteTimestamps(Clock clock) {
        this.clock = clock;
    }

    /** The next timestamp: the clock's microseconds, or one more than the last one given. */
    long next() {
        long now = Micros.of(clock.instant());
        while (true) {
            long previous = last.get();
            long next = Math.max(now, previous + 1);
            if (last.compareAndSet(previous, next)) {
                return next;
            }
        }
    }
}
