package dev.tracestore.benchmarks;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The time of every operation of each design under an interleaved variant, from the
 * measurement iterations only, and their medians. On this machine a few operations in a
 * thousand stall for tens of milliseconds (a checkpoint, a WAL sync, a collection), and they
 * land on one design or another at random; a sum of times — what JMH's score and the
 * {@code *Nanos} counters are — moves with them by ±10 %, a median does not.
 */
final class Samples {
    private final Map<String, Times> times = new LinkedHashMap<>();

    /** One design's times, in a growing array. */
    private static final class Times {
        long[] nanos = new long[1024];
        int size;
    }

    void add(String design, long nanos) {
        Times each = times.computeIfAbsent(design, d -> new Times());
        if (each.size == each.nanos.length) {
            each.nanos = Arrays.copyOf(each.nanos, each.size * 2);
        }
        each.nanos[each.size++] = nanos;
    }

    /** The median time of {@code design}'s operations, in nanoseconds. */
    long median(String design) {
        Times each = times.get(design);
        if (each == null) {
            throw new IllegalStateException("no samples of " + design);
        }
        long[] sorted = Arrays.copyOf(each.nanos, each.size);
        Arrays.sort(sorted);
        return sorted[each.size / 2];
    }

    /**
     * One line for the run's log: each design's number of operations and median, then
     * {@code subject}'s speed relative to each other design (their median over its median:
     * above 1, {@code subject} is faster). A second copy of a design in the same rotation,
     * named {@code <design>#2}, is left out of those ratios and given last as the A/A ratio
     * ({@code A/A <design> ÷ <design>#2}, the copy's median over the design's): two runs of the
     * same code in the same seconds, so its distance from 1 is the noise the other ratios carry.
     */
    String report(String label, String subject) {
        return report("MEDIANS", label, subject);
    }

    /** As {@link #report(String, String)}, the line starting with {@code kind} instead of {@code MEDIANS}. */
    String report(String kind, String label, String subject) {
        StringBuilder line = new StringBuilder(kind).append(' ').append(label).append(':');
        times.forEach((design, each) -> line.append(String.format(Locale.ROOT, " %s %d × %.1f µs;", design, each.size,
                median(design) / 1e3)));
        for (String design : times.keySet()) {
            if (!design.equals(subject) && original(design) == null) {
                line.append(String.format(Locale.ROOT, " %s ÷ %s %.2f;", subject, design,
                        (double) median(design) / median(subject)));
            }
        }
        for (String design : times.keySet()) {
            String original = original(design);
            if (original != null && times.containsKey(original)) {
                line.append(String.format(Locale.ROOT, " A/A %s ÷ %s %.2f;", original, design,
                        (double) median(design) / median(original)));
            }
        }
        return line.toString();
    }

    /** The design that {@code name} is a second copy of ({@code tracestore} for {@code tracestore#2}), or null. */
    static String original(String name) {
        int hash = name.indexOf('#');
        return hash < 0 ? null : name.substring(0, hash);
    }

    boolean isEmpty() {
        return times.isEmpty();
    }

    /** Whether every one of {@code designs} has at least {@code count} times, enough for a median worth printing. */
    boolean hasEvery(Iterable<String> designs, int count) {
        for (String design : designs) {
            Times each = times.get(design);
            if (each == null || each.size < count) {
                return false;
            }
        }
        return true;
    }
}
