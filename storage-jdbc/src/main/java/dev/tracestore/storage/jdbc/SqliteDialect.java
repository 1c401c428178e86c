package dev.tracestore.storage.jdbc;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * SQLite through the xerial driver: instants as epoch microseconds ({@code INTEGER}), text
 * compared with the {@code BINARY} collation (UTF-8 bytes, that is code points), upserts with
 * {@code INSERT … ON CONFLICT}, paging with {@code LIMIT}. U+0000 is stored faithfully.
 *
 * <p>SQLite runs one writing transaction at a time and has no row locks: a trace row is
 * "locked" by a write to it, which takes the database's write lock for the rest of the
 * transaction. Every writing transaction of the storage starts with a write, so a deferred
 * transaction never holds a stale snapshot; SQLITE_BUSY and SQLITE_LOCKED are retried.
 *
 * <p>Configure the connections as the embedded default does:
 * {@code jdbc:sqlite:FILE?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL}.
 * Under these settings a killed process loses no acknowledged batch and leaves no batch in part
 * ({@code KillDuringIngestTest}); a machine crash or power loss can lose the last commits before
 * it, never part of one ({@code synchronous=FULL} keeps those too). {@link #inspect} warns about
 * {@code foreign_keys} off, a {@code busy_timeout} of 0 and {@code synchronous=OFF}, and refuses
 * {@code journal_mode} {@code MEMORY} and {@code OFF}, under which SQLite says a process that
 * crashes in a transaction will very likely corrupt the database.
 */
final class SqliteDialect extends Dialect {
    private static final int SQLITE_BUSY = 5;
    private static final int SQLITE_LOCKED = 6;

    /** Use {@code Dialect.sqlite()}. */
    SqliteDialect() {
    }

    @Override
    public String name() {
        return "sqlite";
    }

    @Override
    void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setLong(index, ChronoUnit.MICROS.between(Instant.EPOCH, instant));
    }

    @Override
    int instantType() {
        return Types.BIGINT;
    }

    @Override
    Instant getInstant(ResultSet rs, int column) throws SQLException {
        return Instant.EPOCH.plus(rs.getLong(column), ChronoUnit.MICROS);
    }

    /** SQLite transactions are serializable; the connection's level is kept. */
    @Override
    int recountIsolation() {
        return -1;
    }

    @Override
    boolean migratesInOneTransaction() {
        return true;
    }

    /**
     * SQLite compiles a statement's text on every prepare, and xerial's driver keeps no cache:
     * the storage keeps a batch's statements for the next one (16 texts, so that a client whose
     * batch sizes vary still finds its usual ones; their native memory is not measured).
     */
    @Override
    int statementsKept() {
        return 16;
    }

    @Override
    boolean serialisesWrites() {
        return true;
    }

    @Override
    boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            int primary = x.getErrorCode() & 0xff;
            if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
                return true;
            }
        }
        return false;
    }

    /** SQLITE_CONSTRAINT_UNIQUE (2067) or SQLITE_CONSTRAINT_PRIMARYKEY (1555). */
    @Override
    boolean isDuplicateKey(SQLException e) {
        return e.getErrorCode() == 2067 || e.getErrorCode() == 1555
                || (e.getMessage() != null && e.getMessage().contains("UNIQUE constraint failed"));
    }

    /** SQLITE_ERROR (1) with "no such table": SQLite has no finer code for it. */
    @Override
    boolean isMissingTable(SQLException e) {
        return (e.getErrorCode() & 0xff) == 1 && e.getMessage() != null && e.getMessage().contains("no such table");
    }

    @Override
    Safety inspect(Connection c) throws SQLException {
        List<String> warnings = new ArrayList<>();
        List<String> refusals = new ArrayList<>();
        if (pragma(c, "foreign_keys").equals("0")) {
            warnings.add("foreign_keys is off, so a message's reference to its trace is not enforced; open the"
                    + " connections with foreign_keys=true");
        }
        if (pragma(c, "busy_timeout").equals("0")) {
            warnings.add("busy_timeout is 0, so a write fails at once (after a few quick retries) while another"
                    + " process writes; set busy_timeout=30000 on the connections");
        }
        if (pragma(c, "synchronous").equals("0")) {
            warnings.add("synchronous=OFF: a machine crash or power loss can corrupt the database; use NORMAL with"
                    + " journal_mode=WAL (or FULL)");
        }
        String journal = pragma(c, "journal_mode").toLowerCase(Locale.ROOT);
        if (journal.equals("memory") || journal.equals("off")) {
            refusals.add("SQLite journal_mode=" + journal + ": a process killed during a transaction can corrupt the"
                    + " database and store part of a batch; use journal_mode=WAL");
        }
        return new Safety(warnings, refusals);
    }

    private static String pragma(Connection c, String name) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            return rs.next() ? String.valueOf(rs.getString(1)) : "";
        }
    }

    @Override
    String nullSafeEquals() {
        return " IS ?";
    }

    @Override
    String limit() {
        return "LIMIT ?";
    }

    @Override
    String insertTrace(String traces) {
        return super.insertTrace(traces) + " ON CONFLICT (namespace, external_id) DO NOTHING";
    }

    /**
     * A write that changes nothing and returns the flag: it takes the database's write lock
     * first. A plain read would begin the transaction as a reader, and a reader whose snapshot
     * another connection (another storage, another process) has written past cannot become a
     * writer: SQLite fails it with SQLITE_BUSY at once, whatever {@code busy_timeout} says.
     */
    @Override
    String lockTombstone(String traces) {
        return "UPDATE " + traces + " SET deleting = deleting WHERE id = ? RETURNING deleting";
    }

    /** A write that changes nothing, for the write lock SQLite has instead of row locks. */
    @Override
    String lockTrace(String traces) {
        return "UPDATE " + traces + " SET deleting = deleting WHERE id = ? AND deleting = FALSE";
    }

    @Override
    String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE rowid IN (SELECT rowid FROM " + messages
                + " WHERE trace_id = ? " + limit() + ")";
    }
}
