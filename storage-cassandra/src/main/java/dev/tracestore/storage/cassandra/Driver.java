package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.AsyncResultSet;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.tracestore.StorageException;
import dev.tracestore.TraceStoreException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage's use of the driver: statements prepared once per query text, bound with the
 * storage's settings (consistency, idempotence, write timestamp), and run so that every driver
 * failure becomes a {@link StorageException} naming the operation. Nothing here knows the
 * tables; the statement text is in {@link Cql}.
 *
 * <p>Every statement made here is marked idempotent: the driver's retry policy and speculative
 * executions may re-run it. The two that must not be (the counter increment, the claim of an
 * id block) are set non-idempotent by their callers. Thread-safe.
 */
final class Driver {
    private static final Logger log = LoggerFactory.getLogger(Driver.class);

    private final CqlSession session;
    private final String keyspace;
    private final ConsistencyLevel consistency;
    private final ConsistencyLevel serialConsistency;
    private final ConcurrentMap<String, PreparedStatement> prepared = new ConcurrentHashMap<>();

    Driver(CqlSession session, String keyspace, ConsistencyLevel consistency, ConsistencyLevel serialConsistency) {
        this.session = session;
        this.keyspace = keyspace;
        this.consistency = consistency;
        this.serialConsistency = serialConsistency;
    }

    // ------------------------------------------------------------------ statements

    /** The query prepared on the session, once per query text. */
    PreparedStatement prepared(String query) {
        PreparedStatement statement = prepared.get(query);
        if (statement == null) {
            try {
                statement = session.prepare(query);
            } catch (DriverException e) {
                throw new StorageException("Cassandra storage: preparing a statement on keyspace " + keyspace
                        + " failed (have the tables been created with migrate()?): " + describe(e), e);
            }
            PreparedStatement raced = prepared.putIfAbsent(query, statement);
            if (raced != null) {
                statement = raced;
            }
        }
        return statement;
    }

    /** A read at the configured consistency; reads are idempotent. */
    BoundStatement read(String query, Object... values) {
        return prepared(query).bind(values).setConsistencyLevel(consistency).setIdempotent(true);
    }

    /** A read at the serial consistency: it sees, and completes, a lightweight transaction left in flight. */
    BoundStatement serialRead(String query, Object... values) {
        return read(query, values).setConsistencyLevel(serialConsistency);
    }

    /** An idempotent write with write timestamp {@code timestamp}. */
    BoundStatement write(String query, long timestamp, Object... values) {
        return writing(prepared(query).bind(values), timestamp);
    }

    /** The statement as an idempotent write at the configured consistency with write timestamp {@code timestamp}. */
    BoundStatement writing(BoundStatement statement, long timestamp) {
        return statement.setConsistencyLevel(consistency).setIdempotent(true).setQueryTimestamp(timestamp);
    }

    /** A lightweight transaction: Paxos at the serial consistency, committed at the configured one. */
    BoundStatement lwtStatement(String query, Object... values) {
        return prepared(query).bind(values).setConsistencyLevel(consistency)
                .setSerialConsistencyLevel(serialConsistency).setIdempotent(true);
    }

    /** A single-partition batch: one mutation, all or nothing on each replica. */
    BatchStatement batch(BatchStatementBuilder batch, long timestamp) {
        return batch.setConsistencyLevel(consistency).setIdempotence(true).setQueryTimestamp(timestamp).build();
    }

    // ------------------------------------------------------------------ execution

    /** Runs a statement; a failure names the operation and the cause. */
    ResultSet run(String operation, Statement<?> statement) {
        return run(operation, null, statement);
    }

    /** Runs a statement; a failure names the operation, the cause and {@code outcome}: what the operation left. */
    ResultSet run(String operation, String outcome, Statement<?> statement) {
        try {
            return session.execute(statement);
        } catch (DriverException e) {
            StorageException failure = failure(operation, e);
            throw outcome == null ? failure : new StorageException(failure.getMessage() + ". " + outcome, e);
        }
    }

    /** Every row of the query's result, page by page. */
    List<Row> all(String operation, Statement<?> statement) {
        try {
            List<Row> rows = new ArrayList<>();
            for (Row r : session.execute(statement)) {
                rows.add(r);
            }
            return rows;
        } catch (DriverException e) {
            throw failure(operation, e);
        }
    }

    /** How many rows the query's result has, counted page by page without keeping them. */
    long count(String operation, Statement<?> statement) {
        try {
            long n = 0;
            for (Row ignored : session.execute(statement)) {
                n++;
            }
            return n;
        } catch (DriverException e) {
            throw failure(operation, e);
        }
    }

    /** Gives {@code each} every row of the query's result, page by page, without keeping them. */
    void each(String operation, Statement<?> statement, java.util.function.Consumer<Row> each) {
        try {
            for (Row r : session.execute(statement)) {
                each.accept(r);
            }
        } catch (DriverException e) {
            throw failure(operation, e);
        }
    }

    /** Every row of the query's result, fetched without blocking a driver thread. */
    CompletionStage<List<Row>> allAsync(String operation, Statement<?> statement) {
        CompletionStage<AsyncResultSet> first;
        try {
            first = session.executeAsync(statement);
        } catch (DriverException e) {
            return CompletableFuture.failedFuture(failure(operation, e));
        }
        return first.thenCompose(rs -> collect(rs, new ArrayList<>()));
    }

    private static CompletionStage<List<Row>> collect(AsyncResultSet rs, List<Row> into) {
        for (Row r : rs.currentPage()) {
            into.add(r);
        }
        return rs.hasMorePages() ? rs.fetchNextPage().thenCompose(next -> collect(next, into))
                : CompletableFuture.completedFuture(into);
    }

    /** Runs a best-effort cleanup write without waiting; a failure leaves garbage that reads skip, and is logged. */
    void quietly(Statement<?> statement) {
        try {
            session.executeAsync(statement).whenComplete((rs, e) -> {
                if (e != null) {
                    log.debug("A cleanup write failed; reads skip what it would have removed: {}", e.toString());
                }
            });
        } catch (DriverException e) {
            log.debug("A cleanup write failed; reads skip what it would have removed: {}", e.toString());
        }
    }

    /**
     * Waits for {@code stage}. Our own exceptions and {@link IllegalArgumentException} come out as
     * they are; any other failure as a {@link StorageException} naming the operation.
     */
    <T> T join(String operation, CompletionStage<T> stage) {
        try {
            return stage.toCompletableFuture().join();
        } catch (CompletionException | CancellationException e) {
            throw rethrown(operation, e.getCause() == null ? e : e.getCause());
        }
    }

    private static RuntimeException rethrown(String operation, Throwable e) {
        if (e instanceof TraceStoreException || e instanceof IllegalArgumentException) {
            return (RuntimeException) e;
        }
        return failure(operation, e);
    }

    /** The failure of {@code operation}, caused by {@code e}. */
    static StorageException failure(String operation, Throwable e) {
        return new StorageException("Cassandra storage: " + operation + " failed: " + describe(e), e);
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
    }
}
