package dev.tracestore.storage.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The compiled statements of a batch's message upserts, kept per physical connection and reused
 * by the next batch on that connection, where the dialect asks for it ({@link Dialect#statementsKept()}):
 * SQLite compiles a statement's text on every prepare and its driver keeps no cache, so a batch
 * spent more time compiling its upserts than the totals cost ({@code IngestBenchmark}'s
 * {@code rawMultiRowReused}; BENCHMARKS.md). The other drivers keep their own (PgJDBC's
 * server-prepared statements), or their servers parse text cheaply.
 *
 * <p>The statements are prepared on the driver's connection under the pool's proxy, which does
 * not track them, so that they outlive the borrow. A pool then does not see them write: the
 * unit of work must write through the pool's own connection first (the trace-row increment
 * does), or a pool that rolls back on return only what it saw write (HikariCP) would let a
 * transaction whose rollback failed be committed by its reset of auto-commit.
 *
 * <p>While a unit of work runs, its connection's statements are out of the cache: nobody else
 * can touch them. A unit of work that fails closes every statement it used, since a failure can
 * leave a statement in any state. At most {@value #CONNECTIONS} connections' statements are
 * kept, the least recently used falling out (a connection the pool closed goes that way), and
 * per connection the last {@code statementsKept()} texts; what falls out is closed. Thread-safe.
 */
final class StatementCache {
    private static final Logger log = LoggerFactory.getLogger(StatementCache.class);
    /** More than a pool for SQLite, which writes one transaction at a time, would need. */
    static final int CONNECTIONS = 8;

    private final int perConnection;
    /** By physical connection, least recently used first; an entry is absent while its connection works. */
    private final LinkedHashMap<Connection, Kept> idle = new LinkedHashMap<>(16, 0.75f, true);

    StatementCache(int perConnection) {
        this.perConnection = perConnection;
    }

    /** The statements of one unit of work on one connection. */
    interface Statements {
        /**
         * A statement for {@code sql}, prepared or reused, its parameters to be bound anew. The
         * caller must not close it: the cache does, when it drops it.
         */
        PreparedStatement prepare(String sql) throws SQLException;
    }

    /** One unit of work that prepares its statements through {@link Statements}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Statements statements) throws SQLException;
    }

    /**
     * Runs {@code work} with statements for {@code c}: kept ones of its physical connection
     * where the dialect keeps statements, otherwise fresh ones, closed when the work ends.
     */
    <T> T run(Connection c, Work<T> work) throws SQLException {
        Connection physical = perConnection == 0 ? c : JdbcTransactions.physical(c);
        Kept statements = perConnection == 0 ? new Kept(c, 0) : take(physical);
        T result;
        try {
            result = work.run(statements);
        } catch (SQLException | RuntimeException | Error e) {
            statements.closeAll(e);
            throw e;
        }
        if (perConnection == 0) {
            statements.closeAll(); // as try-with-resources would: a failure to close fails the work
        } else {
            giveBack(physical, statements);
        }
        return result;
    }

    private Kept take(Connection physical) {
        Kept kept;
        synchronized (idle) {
            kept = idle.remove(physical);
        }
        return kept != null ? kept : new Kept(physical, perConnection);
    }

    private void giveBack(Connection physical, Kept kept) {
        List<Kept> dropped = new ArrayList<>(1);
        synchronized (idle) {
            idle.put(physical, kept);
            var eldest = idle.entrySet().iterator();
            while (idle.size() > CONNECTIONS) {
                dropped.add(eldest.next().getValue());
                eldest.remove();
            }
        }
        dropped.forEach(k -> k.closeAll(null)); // outside the lock: closing may wait for the driver
    }

    /** One connection's statements by text, least recently used first, at most {@code limit} of them. */
    private static final class Kept implements Statements {
        private final Connection connection;
        private final int limit;
        /** With {@code limit} 0, every statement prepared, to be closed at the end. */
        private final LinkedHashMap<String, PreparedStatement> statements = new LinkedHashMap<>(16, 0.75f, true);
        private final List<PreparedStatement> unkept = new ArrayList<>(2);

        Kept(Connection connection, int limit) {
            this.connection = connection;
            this.limit = limit;
        }

        @Override
        public PreparedStatement prepare(String sql) throws SQLException {
            PreparedStatement ps = statements.get(sql);
            if (ps != null) {
                return ps;
            }
            ps = connection.prepareStatement(sql);
            if (limit == 0) {
                unkept.add(ps);
                return ps;
            }
            statements.put(sql, ps);
            if (statements.size() > limit) {
                Map.Entry<String, PreparedStatement> eldest = statements.entrySet().iterator().next();
                statements.remove(eldest.getKey());
                eldest.getValue().close();
            }
            return ps;
        }

        /** Closes every statement, then throws the first failure to close, if any. */
        void closeAll() throws SQLException {
            SQLException first = null;
            for (PreparedStatement ps : all()) {
                try {
                    ps.close();
                } catch (SQLException e) {
                    if (first == null) {
                        first = e;
                    } else {
                        first.addSuppressed(e);
                    }
                }
            }
            statements.clear();
            unkept.clear();
            if (first != null) {
                throw first;
            }
        }

        private List<PreparedStatement> all() {
            List<PreparedStatement> all = new ArrayList<>(statements.values());
            all.addAll(unkept);
            return all;
        }

        /** Closes every statement; a failure to close is added to {@code failure}, or logged. */
        void closeAll(Throwable failure) {
            all().forEach(ps -> close(ps, failure));
            statements.clear();
            unkept.clear();
        }

        private static void close(PreparedStatement ps, Throwable failure) {
            try {
                ps.close();
            } catch (SQLException | RuntimeException e) {
                if (failure != null) {
                    failure.addSuppressed(e);
                } else {
                    log.debug("Closing a statement failed: {}", e.toString());
                }
            }
        }
    }
}
