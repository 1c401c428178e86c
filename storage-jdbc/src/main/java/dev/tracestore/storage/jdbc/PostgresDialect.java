package dev.tracestore.storage.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
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
