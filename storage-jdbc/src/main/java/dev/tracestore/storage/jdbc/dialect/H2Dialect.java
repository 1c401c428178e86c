package dev.tracestore.storage.jdbc.dialect;

import java.sql.SQLException;

/**
 * H2 2.x: upserts with {@code MERGE … KEY}, stores instants as UTC {@code TIMESTAMP(6)}, and
 * orders text as {@link String#compareTo} does, so message order matches the core's exactly.
 * Text is stored faithfully, U+0000 included.
 */
public final class H2Dialect extends Dialect {

    /** Use {@link Dialect#h2()}. */
    H2Dialect() {
    }

    @Override
    public String name() {
        return "h2";
    }

    @Override
    public String upsertMessages(String messages, int rows) {
        return "MERGE INTO " + messages + " (" + messageColumns() + ") KEY (trace_id, external_id)"
                + " VALUES " + valueRows(rows);
    }

    /** H2 deletes a limited number of rows natively; its {@code IN (subquery)} would materialise every row. */
    @Override
    public String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE trace_id = ? " + limit();
    }

    /** Also a lock timeout (HYT00, H2 error 50200) and a concurrent update (H2 error 90131). */
    @Override
    public boolean isRetryable(SQLException e) {
        return super.isRetryable(e) || "HYT00".equals(e.getSQLState()) || e.getErrorCode() == 90131;
    }
}
