package dev.tracestore.storage.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/**
 * PostgreSQL: instants as {@code timestamptz}, ids in the {@code "C"} collation (byte order),
 * upserts with {@code INSERT … ON CONFLICT}. PostgreSQL cannot store U+0000 in text, so the
 * storage rejects text containing it ({@link #storesNulCharacter()} is false).
 */
final class PostgresDialect extends Dialect {

    /** Use {@code Dialect.postgresql()}. */
    PostgresDialect() {
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setObject(index, instant.atOffset(ZoneOffset.UTC));
    }

    @Override
    int instantType() {
        return Types.TIMESTAMP_WITH_TIMEZONE;
    }

    @Override
    Instant getInstant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    /** An advisory lock, keyed by a 64-bit hash of the name. */
    @Override
    SessionLock migrationLock() {
        return new SessionLock("SELECT pg_advisory_lock(hashtextextended(?, 0))",
                "SELECT pg_advisory_unlock(hashtextextended(?, 0))", false);
    }

    @Override
    boolean rollsBackSchemaChanges() {
        return true;
    }

    @Override
    boolean storesNulCharacter() {
        return false;
    }

    /**
     * PgJDBC sends the statements of one prepared statement as one message sequence with one
     * sync, and the server runs them in order: a batch's increment and first upsert cost one
     * round trip instead of two.
     */
    @Override
    boolean runsStatementsTogether() {
        return true;
    }

    /**
     * From this many rows on, an upsert binds one array per column: one statement text for
     * every batch size, in place of a text of 13 parameters per row (about 40 KB at 1000 rows)
     * that the server parses and plans per chunk until the driver prepares that text. Chosen by
     * {@code IngestBenchmark}, {@code rawArrays} against {@code rawMultiRow} (BENCHMARKS.md):
     * the arrays are slower at 10 and 20 rows, even at 40 and 60, faster from 100.
     */
    static final int ARRAYS_FROM_ROWS = 64;

    @Override
    boolean bindsMessageArrays(int rows) {
        return rows >= ARRAYS_FROM_ROWS;
    }

    /** {@code INSERT … SELECT ?, v.* FROM unnest(?::text[], ?::bigint[], …) AS v ON CONFLICT …}. */
    @Override
    String upsertMessageArrays(String messages) {
        return arraysInto(messages) + ON_CONFLICT_REPLACE;
    }

    @Override
    String upsertMessageArraysIntoVisibleTrace(String messages, String traces) {
        return arraysInto(messages) + " WHERE EXISTS (SELECT 1 FROM " + traces + " WHERE id = ? AND deleting = FALSE)"
                + ON_CONFLICT_REPLACE;
    }

    /** Instants travel as text (ISO 8601, UTC, microseconds), which the server casts exactly. */
    private static String arraysInto(String messages) {
        return "INSERT INTO " + messages + " (" + JdbcStatements.WRITTEN_MESSAGE_COLUMNS + ") SELECT ?, v.* FROM unnest("
                + "?::text[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[], ?::integer[],"
                + " ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[]) AS v";
    }

    /** {@code ON CONFLICT DO NOTHING}: no error, so the transaction and the server log stay clean. */
    @Override
    String insertTrace(String traces) {
        return super.insertTrace(traces) + " ON CONFLICT (namespace, external_id) DO NOTHING";
    }

    /**
     * Deletes by {@code ctid}, the row's physical address: the cheapest way to delete a limited
     * number of rows.
     */
    @Override
    String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE ctid = ANY(ARRAY(SELECT ctid FROM " + messages
                + " WHERE trace_id = ? " + limit() + "))";
    }
}
