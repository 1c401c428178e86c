package dev.tracestore.storage.cassandra;

import static dev.tracestore.storage.cassandra.LightweightTransactions.ATTEMPTS;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.storage.cassandra.LightweightTransactions.Attempt;

/**
 * A trace's key in {@code trace_keys}: its namespace and external id, naming its id. A creator
 * claims the key with a lightweight transaction ({@code IF NOT EXISTS}), so that of two
 * processes creating the same trace one wins and the other drops its unreachable row; a removal
 * frees the key only while it still names the removed trace ({@code IF id = ?}). Thread-safe.
 */
final class TraceKeys {
    private final Driver driver;
    private final LightweightTransactions transactions;
    private final Cql cql;

    TraceKeys(Driver driver, LightweightTransactions transactions, Cql cql) {
        this.driver = driver;
        this.transactions = transactions;
        this.cql = cql;
    }

    /** The id the key names, or null if there is no such key. */
    Long find(String operation, String namespace, String externalId) {
        Row key = driver.run(operation, driver.read(cql.readKey, namespace, externalId)).one();
        return key == null ? null : key.getLong("id");
    }

    /**
     * Claims the key for {@code traceId}; false if another trace holds it. A transaction whose
     * outcome is unknown (a timeout) is settled by a serial read, which completes it; if that finds
     * no key (the claim did not land) or times out too, the key is claimed again.
     */
    boolean claim(String operation, String namespace, String externalId, long traceId) {
        return transactions.decide(operation, "claiming the trace's key stayed undecided after " + ATTEMPTS + " timeouts",
                new Attempt<>(() -> driver.lwtStatement(cql.claimKey, namespace, externalId, traceId),
                        result -> result.getBoolean("[applied]") || result.getLong("id") == traceId,
                        () -> driver.serialRead(cql.readKey, namespace, externalId),
                        now -> now == null ? null : Boolean.valueOf(now.getLong("id") == traceId)));
    }

    /** Frees the key if it still names {@code traceId}. */
    void free(String operation, String namespace, String externalId, long traceId) {
        transactions.decide(operation, "freeing the trace's key stayed undecided after " + ATTEMPTS + " timeouts",
                Attempt.retried(() -> driver.lwtStatement(cql.freeKey, namespace, externalId, traceId),
                        result -> Boolean.TRUE)); // applied, or the key names another trace or none
    }
}
