package dev.tracestore.storage.cassandra;

import java.time.Instant;

/**
 * Instants as epoch microseconds, the form the schema stores them in ({@code bigint}: CQL's
 * {@code timestamp} holds only milliseconds, and the core keeps microseconds). A long holds
 * about ±292,000 years of them.
 */
final class Micros {
    private Micros() {
    }

    /**
     * The epoch microseconds of {@code instant}, truncated.
     *
     * @throws ArithmeticException if the instant is more than about 292,000 years from 1970
     */
    static long of(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }

    /** The instant {@code micros} epoch microseconds after 1970 (before, if negative). */
    static Instant toInstant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    /**
     * The epoch microseconds of {@code instant}, for the value named {@code field}.
     *
     * @throws IllegalArgumentException naming the field if the instant cannot be stored
     */
    static long of(String field, Instant instant) {
        try {
            return of(instant);
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(field + ": must be within about 292,000 years of 1970, which is what"
                    + " the Cassandra storage holds in epoch microseconds; got " + instant, e);
        }
    }
}
