package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.type.TupleType;
import dev.tracestore.Message;
import dev.tracestore.TokenUsage;
import java.util.List;

/**
 * A batch of messages as the rows the storage writes: checked first (every instant within
 * epoch microseconds, the encoded size within {@code maxBatchBytes}), so that a batch Cassandra
 * would refuse fails with nothing written; then bound, a key in {@code message_keys} and a row
 * in {@code messages} per message, with its usage (a tuple of four nulls when none was
 * reported) and tool calls. Thread-safe.
 */
final class MessageRows {
    private final Driver driver;
    private final Cql cql;
    private final int maxBatchBytes;

    MessageRows(Driver driver, Cql cql, int maxBatchBytes) {
        this.driver = driver;
        this.cql = cql;
        this.maxBatchBytes = maxBatchBytes;
    }

    /**
     * The created instants of the batch's messages in epoch microseconds, in order.
     *
     * @throws IllegalArgumentException naming the message, if an instant is outside the stored
     *                                  range; or if the batch encodes to more than {@code maxBatchBytes}
     */
    long[] checked(List<Message> batch) {
        long[] createdAt = new long[batch.size()];
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            try {
                createdAt[i] = Micros.of(m.createdAt());
            } catch (ArithmeticException e) {
                Micros.of("message \"" + m.externalId() + "\" createdAt", m.createdAt()); // throws, naming it
            }
            bytes += EncodedSize.of(m);
        }
        if (bytes > maxBatchBytes) {
            throw new IllegalArgumentException("messages: a batch must encode to at most " + maxBatchBytes
                    + " bytes in the Cassandra storage (maxBatchBytes: it is one request and one mutation, which Cassandra"
                    + " refuses over native_transport_max_message_size and max_mutation_size); got about " + bytes
                    + " bytes in " + batch.size() + " messages");
        }
        return createdAt;
    }

    /** Adds each message's key and row to {@code into}, a batch on the trace's partition. */
    void addTo(BatchStatementBuilder into, long traceId, List<Message> batch, long[] createdAt) {
        PreparedStatement key = driver.prepared(cql.upsertMessageKey);
        PreparedStatement row = driver.prepared(cql.upsertMessage);
        TupleType extras = tupleType(row, 5);
        TupleType usage = tupleType(row, 7);
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            TokenUsage u = m.usage();
            into.addStatement(key.bind(traceId, m.externalId(), m.sequence()));
            into.addStatement(row.bind(traceId, m.sequence(), m.externalId(), m.role().name(), m.text(),
                    extras.newValue(m.model(), m.partsJson()), createdAt[i],
                    u == null ? usage.newValue(null, null, null, null)
                            : usage.newValue(u.inputTokens(), u.outputTokens(), u.cacheReadTokens(), u.cacheWriteTokens()),
                    m.toolCalls()));
        }
    }

    /** The type of a tuple column, as the server declared it (a detached type could not make values). */
    private static TupleType tupleType(PreparedStatement statement, int variable) {
        return (TupleType) statement.getVariableDefinitions().get(variable).getType();
    }

    /**
     * Removes the trace's messages from sequence {@code fromSequence} on: first their keys, in
     * single-partition batches of at most {@value #KEYS_PER_BATCH}, then their rows, with one
     * range deletion. A row whose key is gone is no message (reads skip it), so a failure
     * between the two leaves the messages removed, and their rows for the next call to remove.
     */
    void removeFrom(String operation, long traceId, long fromSequence, long timestamp) {
        BatchStatementBuilder keys = BatchStatement.builder(BatchType.UNLOGGED);
        for (Row r : driver.all(operation, driver.read(cql.messageKeys, traceId))) {
            if (r.getLong("seq") >= fromSequence) {
                keys.addStatement(driver.prepared(cql.deleteMessageKey).bind(traceId, r.getString("external_id")));
                if (keys.getStatementsCount() == KEYS_PER_BATCH) {
                    driver.run(operation, driver.batch(keys, timestamp));
                    keys = BatchStatement.builder(BatchType.UNLOGGED);
                }
            }
        }
        if (keys.getStatementsCount() > 0) {
            driver.run(operation, driver.batch(keys, timestamp));
        }
        driver.run(operation, driver.write(cql.deleteMessagesFrom, timestamp, traceId, fromSequence));
    }

    private static final int KEYS_PER_BATCH = 100;
}
