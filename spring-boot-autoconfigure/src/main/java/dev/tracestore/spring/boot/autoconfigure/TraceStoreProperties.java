package dev.tracestore.spring.boot.autoconfigure;

import dev.tracestore.storage.jdbc.Dialect;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The {@code tracestore.*} configuration properties. A value out of range fails start-up with
 * a message naming the property.
 *
 * @param tablePrefix       prefix of the tables' names: letters, digits and underscores
 * @param dialect           the database's dialect; detected from the connection when not set
 * @param migrate           whether to create or update the tables at start-up ({@code migrate()}); set
 *                          it to false when the application's Flyway applies the shipped scripts
 * @param maxBatchSize      the most messages one batch may hold, 1 to 100,000
 * @param maxTextLength     the longest message text, in characters
 * @param maxIdLength       the longest namespace, external id or message id, 1 to 255
 * @param deletionChunkSize how many messages a trace deletion removes per transaction, 1 to 100,000
 * @param reconciler        the drift guard, which recounts the traces written since its last pass
 * @param cursorSecret      the secret pagination cursors are authenticated with, base64 of at least
 *                          16 bytes; set the same on every instance that serves the same clients
 *                          (default: a random one per instance, so cursors hold for that instance only)
 */
@ConfigurationProperties("tracestore")
public record TraceStoreProperties(
        @DefaultValue("tracestore_") String tablePrefix,
        DialectName dialect,
        @DefaultValue("true") boolean migrate,
        @DefaultValue("1000") int maxBatchSize,
        @DefaultValue("1048576") int maxTextLength,
        @DefaultValue("255") int maxIdLength,
        @DefaultValue("1000") int deletionChunkSize,
        @DefaultValue Reconciler reconciler,
        String cursorSecret) {

    public TraceStoreProperties {
        requireRange("tracestore.max-batch-size", maxBatchSize, 1, 100_000);
        requireRange("tracestore.max-text-length", maxTextLength, 1, 1 << 30);
        requireRange("tracestore.max-id-length", maxIdLength, 1, 255);
        requireRange("tracestore.deletion-chunk-size", deletionChunkSize, 1, 100_000);
        if (cursorSecret != null && cursorSecretBytes(cursorSecret).length < 16) {
            throw new IllegalArgumentException("tracestore.cursor-secret: must be base64 of at least 16 bytes");
        }
        if (tablePrefix == null || !tablePrefix.matches("[A-Za-z][A-Za-z0-9_]{0,39}")) {
            throw new IllegalArgumentException("tracestore.table-prefix: must start with a letter and hold only letters,"
                    + " digits and underscores, at most 40; got \"" + tablePrefix + "\"");
        }
    }

    /** The cursor secret's bytes, or null when none is set. */
    byte[] cursorSecretBytes() {
        return cursorSecret == null ? null : cursorSecretBytes(cursorSecret);
    }

    private static byte[] cursorSecretBytes(String base64) {
        try {
            return java.util.Base64.getDecoder().decode(base64.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tracestore.cursor-secret: must be base64 of at least 16 bytes");
        }
    }

    /**
     * The drift guard.
     *
     * @param enabled   whether it runs
     * @param interval  the least time between two recounts of one trace, and between passes
     * @param batchSize the most traces recounted per pass, 1 to 10,000
     */
    public record Reconciler(@DefaultValue("true") boolean enabled, @DefaultValue("1m") Duration interval,
            @DefaultValue("100") int batchSize) {

        public Reconciler {
            requireRange("tracestore.reconciler.batch-size", batchSize, 1, 10_000);
            if (interval == null || interval.toMillis() < 1) {
                throw new IllegalArgumentException("tracestore.reconciler.interval: must be at least 1ms; got " + interval);
            }
        }
    }

    /** A database the JDBC storage speaks. */
    public enum DialectName {
        H2, POSTGRESQL, MYSQL, MARIADB, SQLITE;

        Dialect dialect() {
            return switch (this) {
                case H2 -> Dialect.h2();
                case POSTGRESQL -> Dialect.postgresql();
                case MYSQL, MARIADB -> Dialect.mysql();
                case SQLITE -> Dialect.sqlite();
            };
        }
    }

    private static void requireRange(String property, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(property + ": must be from " + min + " to " + max + "; got " + value);
        }
    }
}
