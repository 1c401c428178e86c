package dev.tracestore.storage.jdbc;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.RecountResult;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The operations that set a trace's count and totals to what its rows hold, under the trace
 * row's lock so that a batch committing meanwhile is never erased: the recount, and the
 * truncation that removes messages first. Thread-safe.
 */
final class JdbcRecounts {
    private final JdbcTransactions tx;
    private final Dialect dialect;
    private final JdbcStatements sql;

    JdbcRecounts(JdbcTransactions tx, Dialect dialect, JdbcStatements sql) {
        this.tx = tx;
        this.dialect = dialect;
        this.sql = sql;
    }

    /** {@link JdbcTraceStorage#recount}: lock the row, count and sum, set. */
    RecountResult recount(long traceId) {
        return tx.transaction("recounting the messages of trace " + traceId, dialect.recountIsolation(), c -> {
            // 1. Lock the row: waits for batches in flight on the trace to commit.
            try (PreparedStatement ps = c.prepareStatement(sql.lockTrace)) {
                ps.setLong(1, traceId);
                boolean found;
                if (ps.execute()) {
                    try (ResultSet rs = ps.getResultSet()) {
                        found = rs.next();
                    }
                } else {
                    found = ps.getUpdateCount() > 0;
                }
                if (!found) {
                    throw new TraceNotFoundException(traceId);
                }
            }
            return setToRows(c, traceId);
        });
    }

    /** {@link JdbcTraceStorage#truncateMessages}: the cursor's compare-and-set (the row lock), the {@code DELETE}, count, sum, set. */
    RecountResult truncate(long traceId, long fromSequence, CursorMove cursor, Instant now) {
        return tx.transaction("truncating trace " + traceId, dialect.recountIsolation(), c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.moveCursor)) {
                ps.setString(1, cursor.next());
                dialect.setInstant(ps, 2, now);
                ps.setLong(3, traceId);
                ps.setString(4, cursor.expected());
                if (ps.executeUpdate() == 0) {
                    throw cursorFailure(c, sql, traceId, cursor);
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.deleteMessagesFrom)) {
                ps.setLong(1, traceId);
                ps.setLong(2, fromSequence);
                ps.executeUpdate();
            }
            return setToRows(c, traceId);
        });
    }

    /** A locked trace's count and totals set to its rows', in a new statement: at READ COMMITTED it sees every batch committed before the lock. */
    private RecountResult setToRows(Connection c, long traceId) throws SQLException {
        Long previous;
        long actual;
        TraceTotals previousTotals;
        TraceTotals actualTotals;
        try (PreparedStatement ps = c.prepareStatement(sql.countsForRecount)) {
            ps.setLong(1, traceId);
            ps.setLong(2, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long stored = rs.getLong(1);
                previous = rs.wasNull() ? null : stored;
                previousTotals = sql.totals(rs, 2);
                actual = rs.getLong(8);
                actualTotals = sql.totals(rs, 9);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(sql.setCount)) {
            sql.bindSetCount(ps, actual, actualTotals, traceId);
            ps.executeUpdate();
        }
        return new RecountResult(previous, actual, previousTotals, actualTotals);
    }

    /** Why an append's increment matched nothing: the trace is gone, or it holds another cursor. */
    static RuntimeException cursorFailure(Connection c, JdbcStatements sql, long traceId, CursorMove cursor)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.cursorOf)) {
            ps.setLong(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next() || rs.getBoolean(1)) {
                    return new TraceNotFoundException(traceId);
                }
                return new IngestCursorConflictException(traceId, cursor.expected(), rs.getString(2));
            }
        }
    }
}
