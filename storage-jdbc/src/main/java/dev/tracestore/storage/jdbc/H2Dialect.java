package dev.tracestore.storage.jdbc;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * H2 2.x: upserts with {@code MERGE … KEY}, stores instants as UTC {@code TIMESTAMP(6)}, and
 * orders text as {@link String#compareTo} does, so message order matches the core's exactly.
 * Text is stored faithfully, U+0000 included.
 *
 * <p>An H2 <em>file</em> database does not survive a killed process intact: with
 * {@code WRITE_DELAY=0} as with H2's default (500 ms), kills were found to lose acknowledged
 * batches and to leave a batch stored in part, its count above its rows ({@code KillDuringIngestTest}).
 * {@link #inspect} reports it for every H2 database that is not in memory.
 */
final class H2Dialect extends Dialect {

    /** Use {@code Dialect.h2()}. */
    H2Dialect() {
    }

    @Override
    public String name() {
        return "h2";
    }

    @Override
    String upsertMessages(String messages, int rows) {
        return "MERGE INTO " + messages + " (" + JdbcStatements.WRITTEN_MESSAGE_COLUMNS + ") KEY (trace_id, external_id)"
                + " VALUES " + valueRows(rows);
    }

    /** H2 deletes a limited number of rows natively; its {@code IN (subquery)} would materialise every row. */
    @Override
    String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE trace_id = ? " + limit();
    }

    /** A warning for a database that is not in memory ({@code jdbc:h2:mem:}), naming its write delay. */
    @Override
    Safety inspect(Connection c) throws SQLException {
        String url = c.getMetaData().getURL();
        if (url != null && url.startsWith("jdbc:h2:mem:")) {
            return Safety.SAFE;
        }
        String writeDelay = "unknown";
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(
                "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'WRITE_DELAY'")) {
            if (rs.next()) {
                writeDelay = rs.getString(1) + " ms";
            }
        }
        return new Safety(List.of("an H2 file database (WRITE_DELAY " + writeDelay + ") is not crash-safe: a killed"
                + " process can lose acknowledged batches and leave a batch stored in part, with WRITE_DELAY=0 too;"
                + " use SQLite (the embedded default) or a database server for data that must survive a crash"), List.of());
    }

    /** Also a lock timeout (HYT00, H2 error 50200) and a concurrent update (H2 error 90131). */
    @Override
    boolean isRetryable(SQLException e) {
        return super.isRetryable(e) || "HYT00".equals(e.getSQLState()) || e.getErrorCode() == 90131;
    }
}
