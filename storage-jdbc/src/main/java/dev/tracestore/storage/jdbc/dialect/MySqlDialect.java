package dev.tracestore.storage.jdbc.dialect;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Map;

/**
 * MySQL and MariaDB (InnoDB): text in {@code utf8mb4} (full Unicode, emoji included), ids in
 * a binary no-pad collation (ordering and uniqueness by exact value, trailing spaces
 * significant), instants as UTC {@code DATETIME(6)}, upserts with
 * {@code ON DUPLICATE KEY UPDATE}, identifiers quoted with backticks. U+0000 is stored
 * faithfully.
 *
 * <p>Under InnoDB's default REPEATABLE READ a consistent read pins a snapshot, so a recount
 * runs at READ COMMITTED (see {@link #recountIsolation()}). Deadlocks (error 1213) and lock
 * wait timeouts (1205) are retried.
 */
public final class MySqlDialect extends Dialect {

    /** Use {@link Dialect#mysql()}. */
    MySqlDialect() {
    }

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    public String quote(String identifier) {
        return '`' + identifier + '`';
    }

    /**
     * {@code idCollation}: {@code utf8mb4_nopad_bin} on MariaDB, {@code utf8mb4_0900_bin} on
     * MySQL 8 (both compare code points and keep trailing spaces significant).
     */
    @Override
    public Map<String, String> migrationPlaceholders(DatabaseMetaData metaData) throws SQLException {
        boolean mariaDb = metaData.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mariadb")
                || metaData.getDatabaseProductVersion().toLowerCase(Locale.ROOT).contains("mariadb");
        return Map.of("idCollation", mariaDb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin");
    }

    @Override
    public boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (x.getErrorCode() == 1213 || x.getErrorCode() == 1205) {
                return true;
            }
        }
        return super.isRetryable(e);
    }

    @Override
    public boolean isDuplicateKey(SQLException e) {
        return e.getErrorCode() == 1062;
    }

    @Override
    public String limit() {
        return "LIMIT ?";
    }

    @Override
    public String upsertMessages(String messages, int rows) {
        return "INSERT INTO " + messages + " (" + messageColumns() + ") VALUES " + valueRows(rows)
                + " ON DUPLICATE KEY UPDATE seq = VALUES(seq), role = VALUES(role), body = VALUES(body),"
                + " model = VALUES(model), created_at = VALUES(created_at), parts_json = VALUES(parts_json)";
    }

    /** MySQL allows neither a limit in an {@code IN} subquery nor a subquery on the table it deletes from. */
    @Override
    public String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE trace_id = ? " + limit();
    }
}
