package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.spi.CursorMove;
import java.util.Objects;

/**
 * A trace's ingest cursor, moved by a lightweight transaction on its static column:
 * {@code UPDATE … SET ingest_cursor = next IF ingest_cursor = expected}. A transaction whose
 * outcome is unknown (a timeout) is settled by a serial read, which completes it: the cursor at
 * {@code next} means it moved, at {@code expected} that it did not and is tried again,
 * anything else that another append moved it. Thread-safe.
 */
final class IngestCursors {
    private final Driver driver;
    private final LightweightTransactions transactions;
    private final Cql cql;

    IngestCursors(Driver driver, LightweightTransactions transactions, Cql cql) {
        this.driver = driver;
        this.transactions = transactions;
        this.cql = cql;
    }

    /**
     * Moves the cursor of {@code traceId} as {@code move} says.
     *
     * @throws IngestCursorConflictException carrying the stored cursor, if the trace holds another than expected
     */
    void advance(String operation, long traceId, CursorMove move) {
        Outcome outcome = transactions.decide(operation, "moving the ingest cursor stayed undecided after "
                + LightweightTransactions.ATTEMPTS + " timeouts", new LightweightTransactions.Attempt<>(
                        () -> driver.lwtStatement(cql.advanceCursor, move.next(), traceId, move.expected()),
                        result -> result.getBoolean("[applied]") ? Outcome.MOVED : new Outcome(cursor(result)),
                        () -> driver.serialRead(cql.readCursor, traceId),
                        now -> settled(now, move)));
        if (outcome != Outcome.MOVED) {
            throw new IngestCursorConflictException(traceId, move.expected(), outcome.stored);
        }
    }

    /**
     * Checks, with a serial read, that the trace holds {@code expected}.
     *
     * @throws IngestCursorConflictException carrying the stored cursor, if it holds another
     */
    void require(String operation, long traceId, String expected) {
        String stored = cursor(driver.run(operation, driver.serialRead(cql.readCursor, traceId)).one());
        if (!Objects.equals(stored, expected)) {
            throw new IngestCursorConflictException(traceId, expected, stored);
        }
    }

    /** What a serial read after a timeout shows: moved, another append's cursor, or null to try again. */
    private static Outcome settled(Row now, CursorMove move) {
        if (now == null) {
            return null;
        }
        String stored = cursor(now);
        if (Objects.equals(stored, move.next())) {
            return Outcome.MOVED;
        }
        return Objects.equals(stored, move.expected()) ? null : new Outcome(stored);
    }

    private static String cursor(Row row) {
        return row != null && row.getColumnDefinitions().contains("ingest_cursor") ? row.getString("ingest_cursor") : null;
    }

    /** The decision: moved, or the cursor another append left. */
    private static final class Outcome {
        static final Outcome MOVED = new Outcome(null);
        final String stored;

        Outcome(String stored) {
            this.stored = stored;
        }
    }
}
