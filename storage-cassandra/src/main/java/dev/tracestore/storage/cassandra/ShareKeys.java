package dev.tracestore.storage.cassandra;

import static dev.tracestore.storage.cassandra.LightweightTransactions.ATTEMPTS;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.StorageException;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.storage.cassandra.LightweightTransactions.Attempt;
import java.util.Optional;

/**
 * Share tokens: the token's halves in the trace's static columns, set ({@code IF share_key =
 * null AND visibility IN ('PUBLIC', 'UNLISTED')}) and cleared ({@code IF share_key = ?}) by
 * lightweight transactions, and {@code share_keys}, which maps a key to its trace. The trace row
 * decides: a {@code share_keys} row is claimed ({@code IF NOT EXISTS}, so a colliding key fails
 * rather than pointing at two traces) before the token it names, and a lookup through it finds a
 * trace only while that trace holds the key, so a row left by a revocation or a failure opens
 * nothing. Thread-safe.
 */
final class ShareKeys {
    private final Driver driver;
    private final LightweightTransactions transactions;
    private final Cql cql;
    private final TraceReader traces;
    private final WriteTimestamps timestamps;

    ShareKeys(Driver driver, LightweightTransactions transactions, Cql cql, TraceReader traces, WriteTimestamps timestamps) {
        this.driver = driver;
        this.transactions = transactions;
        this.cql = cql;
        this.traces = traces;
        this.timestamps = timestamps;
    }

    /** The trace holding {@code key}, unless it is absent, being deleted or holds another key. */
    Optional<StoredTrace> find(String key) {
        String operation = "reading a shared trace";
        Row index = driver.run(operation, driver.read(cql.shareKeyTrace, key)).one();
        if (index == null) {
            return Optional.empty();
        }
        TraceRow row = traces.read(operation, index.getLong("trace_id"));
        if (row == null || row.deleting() || row.shareToken() == null || !row.shareToken().key().equals(key)) {
            return Optional.empty();
        }
        return Optional.of(row.toStored());
    }

    /** {@link CassandraTraceStorage#createShareToken}: the key's row, then the conditional set. */
    boolean create(long traceId, ShareToken token) {
        String operation = "sharing trace " + traceId;
        traces.visible(operation, traceId);
        boolean claimed = transactions.decide(operation, "claiming the share key stayed undecided after " + ATTEMPTS
                + " timeouts", Attempt.retried(() -> driver.lwtStatement(cql.insertShareKey, token.key(), traceId),
                        // Not applied: a retry of a claim that landed names our trace; another trace is a collision.
                        result -> result.getBoolean("[applied]") || result.getLong("trace_id") == traceId));
        if (!claimed) {
            throw new StorageException("Cassandra storage: " + operation + ": its random share key is another trace's", null);
        }
        boolean set = transactions.decide(operation, "setting the share token stayed undecided after " + ATTEMPTS
                + " timeouts", Attempt.retried(() -> driver.lwtStatement(cql.createShareToken, token.key(),
                        token.secret(), traceId),
                // Not applied: a retry of a set that landed finds our key; anything else, another key, private or removed.
                result -> result.getBoolean("[applied]") || token.key().equals(shareKey(result))));
        if (!set) {
            driver.quietly(driver.write(cql.deleteShareKey, timestamps.next(), token.key()));
        }
        return set;
    }

    /** {@link CassandraTraceStorage#revokeShareToken}: clears the token the trace holds, then forgets its key. */
    void revoke(long traceId) {
        String operation = "revoking the share token of trace " + traceId;
        TraceRow row = traces.visible(operation, traceId);
        if (row.shareToken() != null) {
            clear(operation, traceId, row.shareToken().key());
        }
    }

    /**
     * After an update that made the trace private, which set the token's columns to null: clears
     * again, by a transaction ordered after any concurrent {@link #create}, a token that such a
     * create set with a later write timestamp (found by a serial read, so even one in flight),
     * and forgets the key it had. Once this returns, a create sees the trace private and sets nothing.
     */
    void revokedByPrivacy(String operation, TraceRow before) {
        if (before.shareToken() != null) {
            clear(operation, before.id(), before.shareToken().key());
        }
        // A serial read: it sees, and completes, a create still in flight, which a plain read may miss.
        String now = shareKey(driver.run(operation, driver.serialRead(cql.readTraceShareKey, before.id())).one());
        if (now != null) {
            clear(operation, before.id(), now);
        }
    }

    /** The share key in a result row, or null when the row has none (or no such column: a removed trace). */
    private static String shareKey(Row row) {
        return row != null && row.getColumnDefinitions().contains("share_key") ? row.getString("share_key") : null;
    }

    private void clear(String operation, long traceId, String key) {
        transactions.decide(operation, "clearing the share token stayed undecided after " + ATTEMPTS + " timeouts",
                Attempt.retried(() -> driver.lwtStatement(cql.revokeShareToken, traceId, key),
                        result -> Boolean.TRUE)); // applied, or the trace holds another key or none: done either way
        driver.quietly(driver.write(cql.deleteShareKey, timestamps.next(), key));
    }
}
