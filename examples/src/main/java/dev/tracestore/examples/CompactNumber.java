package dev.tracestore.examples;

/**
 * Counts written short for a listing, as {@code 987}, {@code 1.3K}, {@code 2.1M}, {@code 4B}:
 * under 1000 as is, then thousands, millions or billions with one decimal, rounded half up,
 * and without a trailing {@code .0}.
 */
final class CompactNumber {
    private static final String[] UNITS = {"K", "M", "B"};

    private CompactNumber() {}

    /**
     * {@code n} written short.
     *
     * @throws IllegalArgumentException if {@code n} is negative
     */
    static String format(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("n: must not be negative; got " + n);
        }
        if (n < 1000) {
            return Long.toString(n);
        }
        long unit = 1000;
        int u = 0;
        long tenths = rounded(n, unit);
        while (tenths >= 10_000 && u < UNITS.length - 1) { // 999,950 rounds to 1000.0K: write 1M instead
            unit *= 1000;
            u++;
            tenths = rounded(n, unit);
        }
        return (tenths / 10) + (tenths % 10 == 0 ? "" : "." + tenths % 10) + UNITS[u];
    }

    /** {@code n / unit} in tenths, rounded half up; {@code unit} a power of 1000, so no overflow. */
    private static long rounded(long n, long unit) {
        long tenth = unit / 10;
        return n / tenth + (n % tenth >= tenth / 2 ? 1 : 0);
    }
}
