package dev.tracestore.storage.jdbc;

import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A driver's {@link SQLException} with its message withheld: drivers put bound values in their
 * messages (PgJDBC's {@code BatchUpdateException} quotes the statement with its parameters; a
 * server's error detail can hold the failing row), and a {@link dev.tracestore.StorageException}
 * must never carry message text or titles. What stays is what identifies the error: the
 * driver's exception class, the SQLState, the vendor code and the stack trace, and the same for
 * every SQLException chained to it (next, cause, suppressed).
 */
final class ScrubbedSqlException extends SQLException {
    private static final long serialVersionUID = 1L;

    private ScrubbedSqlException(SQLException original) {
        super(original.getClass().getName() + " (SQLState " + original.getSQLState() + ", error " + original.getErrorCode()
                + "; the driver's message is withheld, as it may hold bound values)", original.getSQLState(),
                original.getErrorCode());
        setStackTrace(original.getStackTrace());
    }

    /** A scrubbed copy of {@code e} and of everything chained to it. */
    static SQLException of(SQLException e) {
        return (SQLException) scrub(e, new IdentityHashMap<>());
    }

    /**
     * A scrubbed copy of an {@link SQLException}, the driver's, whose message may quote bound
     * values; any other throwable is kept as it is (a driver chains only I/O failures of its own
     * to them, and the storage's test faults must stay recognisable).
     */
    private static Throwable scrub(Throwable t, Map<Throwable, Throwable> done) {
        if (!(t instanceof SQLException sql)) {
            return t;
        }
        Throwable copy = done.get(t);
        if (copy != null) {
            return copy;
        }
        ScrubbedSqlException s = new ScrubbedSqlException(sql);
        done.put(t, s);
        SQLException next = sql.getNextException();
        if (next != null && next != sql) {
            s.setNextException((SQLException) scrub(next, done));
        }
        if (t.getCause() != null && t.getCause() != t) {
            s.initCause(scrub(t.getCause(), done));
        }
        for (Throwable suppressed : t.getSuppressed()) {
            s.addSuppressed(scrub(suppressed, done));
        }
        return s;
    }
}
