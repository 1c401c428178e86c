package dev.tracestore.storage.jdbc;

import dev.tracestore.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How {@link JdbcTraceStorage} runs its work on the data source: reads in auto-commit mode;
 * transactions at the dialect's isolation level, rolled back on any failure and run again after
 * a deadlock or serialization failure with a jittered backoff; on SQLite, behind the JVM's one
 * write lock, waited for at most the configured timeout. A connection goes back to the pool with
 * the settings it came with, or is aborted when they cannot be restored. Failures become a
 * {@link StorageException} naming the operation, never a bound value. Thread-safe.
 */
final class JdbcTransactions {
    private static final Logger log = LoggerFactory.getLogger(JdbcTransactions.class);

    private final DataSource dataSource;
    private final Dialect dialect;
    /** The table prefix, for messages only. */
    private final String prefix;
    private final int maxAttempts;
    /** Queues the JVM's writers when the database runs one writing transaction at a time; null otherwise. */
    private final ReentrantLock writeLock;
    private final Duration writeLockTimeout;
    /**
     * The isolation level each physical connection was last given back at, so that a write
     * need not ask the driver again: PgJDBC answers {@link Connection#getTransactionIsolation()}
     * with a {@code SHOW TRANSACTION ISOLATION LEVEL} round trip, which would make a batch's two
     * round trips three. Weak keys: an entry goes with its connection.
     */
    private final Map<Connection, Integer> isolationOnReturn = Collections.synchronizedMap(new WeakHashMap<>());
    /** Transactions run again after a deadlock, lock timeout or serialization failure, since creation. */
    private final LongAdder retried = new LongAdder();

    JdbcTransactions(DataSource dataSource, Dialect dialect, String prefix, int maxAttempts, Duration writeLockTimeout) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.prefix = prefix;
        this.maxAttempts = maxAttempts;
        this.writeLock = dialect.serialisesWrites() ? new ReentrantLock(true) : null;
        this.writeLockTimeout = writeLockTimeout;
    }

    /** How many transactions were run again after a deadlock, lock timeout or serialization failure. */
    long retried() {
        return retried.sum();
    }

    /** One unit of work on a connection. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs {@code work} on a connection in auto-commit mode, without retry. */
    <T> T read(String operation, Work<T> work) {
        try {
            Connection c = connect();
            T result;
            try {
                boolean autoCommit = c.getAutoCommit();
                if (!autoCommit) {
                    c.setAutoCommit(true);
                }
                try {
                    result = work.run(c);
                } finally {
                    if (!autoCommit && !restore(c, false, -1)) {
                        discard(c);
                    }
                }
            } catch (SQLException | RuntimeException | Error e) {
                closeAfterFailure(c, e);
                throw e;
            }
            closeAfterOutcome(c);
            return result;
        } catch (SQLException e) {
            throw failure(operation, e, 1);
        }
    }

    /** Runs a short write (a statement or two) as one transaction, retried like any other. */
    <T> T write(String operation, Work<T> work) {
        return transaction(operation, dialect.writeIsolation(), work);
    }

    /**
     * Runs {@code work} as one transaction, at {@code isolation} unless it is -1; rolls back on
     * any failure; runs it again after a deadlock or serialization failure.
     */
    <T> T transaction(String operation, int isolation, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            if (writeLock != null) {
                lockForWriting(operation);
            }
            try {
                return transactionOnce(isolation, work);
            } catch (SQLException e) {
                if (attempt >= maxAttempts || !dialect.isRetryable(e)) {
                    throw failure(operation, e, attempt);
                }
                retried.increment();
                log.debug("{} failed with SQLState {} (error {}); retrying, attempt {} of {}",
                        operation, e.getSQLState(), e.getErrorCode(), attempt + 1, maxAttempts);
            } finally {
                if (writeLock != null) {
                    writeLock.unlock();
                }
            }
            backoff(operation, attempt);
        }
    }

    /**
     * Takes the JVM's write lock, waiting at most {@link JdbcTraceStorage.Builder#writeLockTimeout(Duration)}: SQLite
     * runs one writing transaction at a time, and without a bound the writers queued here would
     * wait on for as long as the queue is, whatever the pool's connection timeout says.
     */
    private void lockForWriting(String operation) {
        try {
            if (writeLock.tryLock(writeLockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(failed(operation)
                    + ": interrupted while waiting for this JVM's other writers; nothing was written", e, true);
        }
        throw new StorageException(failed(operation) + ": the other writers of this storage held the database's one"
                + " write slot for over " + writeLockTimeout.toMillis() + " ms (writeLockTimeout); nothing was written,"
                + " and the call may be retried", null, true);
    }

    /**
     * A connection from the data source; when there is none (a pool's timeout, a database that
     * cannot be reached) the exception says so before the driver's or pool's own words.
     */
    private Connection connect() throws SQLException {
        try {
            return dataSource.getConnection();
        } catch (SQLException e) {
            throw new NoConnection(e);
        }
    }

    /** {@link DataSource#getConnection()} failed: the operation reached no database. */
    private static final class NoConnection extends SQLException {
        private static final long serialVersionUID = 1L;

        NoConnection(SQLException cause) {
            super("no connection from the data source (" + cause.getClass().getSimpleName() + ": " + cause.getMessage()
                    + ")", cause.getSQLState(), cause.getErrorCode(), cause);
        }
    }

    private <T> T transactionOnce(int isolation, Work<T> work) throws SQLException {
        Connection c = connect();
        // Only a transaction that sets its isolation level needs the connection's current one.
        Connection physical = isolation == -1 ? null : physical(c);
        boolean reusable = false; // whether the connection may go back to the pool as it is
        T result;
        try {
            boolean previousAutoCommit = c.getAutoCommit();
            int previousIsolation = physical == null ? -1 : isolationOf(c, physical);
            boolean switchIsolation = isolation != -1 && previousIsolation != isolation;
            if (switchIsolation) {
                c.setTransactionIsolation(isolation);
            }
            c.setAutoCommit(false);
            boolean ended = false; // committed or rolled back: the connection holds no open transaction
            try {
                result = work.run(c);
                c.commit();
                ended = true;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    c.rollback();
                    ended = true;
                } catch (SQLException rollbackFailure) {
                    e.addSuppressed(rollbackFailure);
                }
                throw e;
            } finally {
                // After a failed rollback the transaction may still hold part of the work, and
                // setAutoCommit(true) would commit it (JDBC says so): such a connection is aborted
                // instead, which rolls it back (the pool discards it, the server on disconnect).
                reusable = ended && restore(c, previousAutoCommit, switchIsolation ? previousIsolation : -1);
            }
        } catch (SQLException | RuntimeException | Error e) {
            release(c, physical, reusable, e);
            throw e;
        }
        release(c, physical, reusable, null);
        return result;
    }

    /**
     * Gives the connection back to the pool, or discards it when it is not reusable. A failure
     * to close is never the operation's failure: after a commit the work has landed, and
     * reporting it failed would make a caller's retry count the batch twice; after a failure,
     * that failure is what the caller must see.
     */
    private void release(Connection c, Connection physical, boolean reusable, Throwable failure) {
        if (!reusable) {
            if (physical != null) {
                isolationOnReturn.remove(physical);
            }
            discard(c);
        } else if (failure != null) {
            closeAfterFailure(c, failure);
        } else {
            closeAfterOutcome(c);
        }
    }

    /** Closes a connection whose work succeeded; a failure to close is logged, and the connection discarded. */
    private void closeAfterOutcome(Connection c) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            log.warn("The work succeeded, but closing its connection failed; the connection is discarded: {}",
                    e.toString());
            discard(c);
        }
    }

    /** Closes a connection after its work failed, keeping a failure to close with the first failure. */
    private static void closeAfterFailure(Connection c, Throwable failure) {
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }

    /**
     * The connection's isolation level: remembered from the last time this storage gave it
     * back, or asked of the driver once per physical connection. The memory stays true as long
     * as nobody else leaves the connection at another level; pools such as HikariCP reset a
     * borrower's change when it is returned. Were it wrong, a transaction would run at that
     * other level, which is still correct: every level keeps the row-lock order the counting
     * relies on, and serialization failures are run again.
     */
    private int isolationOf(Connection c, Connection physical) throws SQLException {
        Integer known = isolationOnReturn.get(physical);
        if (known != null) {
            return known;
        }
        int level = c.getTransactionIsolation();
        isolationOnReturn.put(physical, level);
        return level;
    }

    /** The driver's own connection under a pool's proxy: the key of {@link #isolationOnReturn} and of {@link StatementCache}. */
    static Connection physical(Connection c) {
        try {
            return c.isWrapperFor(Connection.class) ? c.unwrap(Connection.class) : c;
        } catch (SQLException e) {
            return c;
        }
    }

    /**
     * Gives the connection back its settings. Never throws: the outcome of the transaction is
     * already decided.
     *
     * @return whether it succeeded; if not, the connection must be discarded
     */
    private static boolean restore(Connection c, boolean autoCommit, int isolation) {
        try {
            c.setAutoCommit(autoCommit);
            if (isolation != -1) {
                c.setTransactionIsolation(isolation);
            }
            return true;
        } catch (SQLException e) {
            log.debug("Could not restore a connection's settings; discarding it: {}", e.toString());
            return false;
        }
    }

    /** Aborts and closes a connection in an unknown state, so that the pool does not hand it out again. */
    private static void discard(Connection c) {
        try {
            c.abort(Runnable::run);
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not abort a connection: {}", e.toString());
        }
        try {
            c.close();
        } catch (SQLException | RuntimeException e) {
            log.debug("Closing an aborted connection failed, as it may: {}", e.toString());
        }
    }

    private static void backoff(String operation, int attempt) {
        long ceiling = Math.min(200L, 5L << Math.min(attempt, 6));
        try {
            Thread.sleep(ThreadLocalRandom.current().nextLong(1, ceiling + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting to retry " + operation, e);
        }
    }

    private StorageException failure(String operation, SQLException e, int attempts) {
        if (e instanceof NoConnection) {
            return new StorageException(failed(operation) + ": " + e.getMessage() + "; nothing was written",
                    e.getCause(), true);
        }
        // The driver's exception goes on scrubbed: its message, and its server's detail, may hold bound values.
        if (dialect.isMissingTable(e)) {
            return new StorageException(failed(operation) + ": the storage's tables (prefix \"" + prefix
                    + "\") do not exist; call migrate() first, or apply the shipped scripts (db/tracestore/"
                    + dialect.name() + "/ in tracestore-storage-jdbc) with Flyway (SQLState " + e.getSQLState()
                    + ", error " + e.getErrorCode() + ")", ScrubbedSqlException.of(e));
        }
        return new StorageException(failed(operation) + " (SQLState "
                + e.getSQLState() + ", error " + e.getErrorCode() + (attempts > 1 ? ", after " + attempts + " attempts" : "")
                + ")", ScrubbedSqlException.of(e));
    }

    /** The start of every failure's message: the storage, its dialect and the operation. */
    private String failed(String operation) {
        return "JDBC storage (" + dialect + "): " + operation + " failed";
    }
}
