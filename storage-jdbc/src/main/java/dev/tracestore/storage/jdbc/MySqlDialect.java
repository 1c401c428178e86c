package dev.tracestore.storage.jdbc;

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
final class MySqlDialect extends Dialect {

    /** Use {@code Dialect.mysql()}. */
    MySqlDialect() {
    }

    @Override
    public String name() {
        return "mysql";
    }

    @Override
    String quote(String identifier) {
        return '`' + identifier + '`';
    }

    /**
     * {@code idCollation}: {@code utf8mb4_nopad_bin} on MariaDB, {@code utf8mb4_0900_bin} on
     * MySQL 8 (both compare code points and keep trailing spaces significant).
     */
    @Override
    Map<String, String> migrationPlaceholders(DatabaseMetaData metaData) throws SQLException {
        boolean mariaDb = metaData.getDatabaseProductName().toLowerCase(Locale.ROOT).contains("mariadb")
                || metaData.getDatabaseProductVersion().toLowerCase(Locale.ROOT).contains("mariadb");
        return Map.of("idCollation", mariaDb ? "utf8mb4_nopad_bin" : "utf8mb4_0900_bin");
    }

    /** {@code GET_LOCK}, giving up after {@value Migrator#LOCK_TIMEOUT_SECONDS} s. */
    @Override
    SessionLock migrationLock() {
        return new SessionLock("SELECT GET_LOCK(?, " + Migrator.LOCK_TIMEOUT_SECONDS + ")", "SELECT RELEASE_LOCK(?)", true);
    }

    @Override
    boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            if (x.getErrorCode() == 1213 || x.getErrorCode() == 1205) {
                return true;
            }
        }
        return super.isRetryable(e);
    }

    @Override
    boolean isDuplicateKey(SQLException e) {
        return e.getErrorCode() == 1062;
    }

    @Override
    String nullSafeEquals() {
        return " <=> ?";
    }

    @Override
    String limit() {
        return "LIMIT ?";
    }

    @Override
    String upsertMessages(String messages, int rows) {
        return "INSERT INTO " + messages + " (" + JdbcStatements.WRITTEN_MESSAGE_COLUMNS + ") VALUES " + valueRows(rows)
                + " ON DUPLICATE KEY UPDATE seq = VALUES(seq), role = VALUES(role), body = VALUES(body),"
                + " model = VALUES(model), created_at = VALUES(created_at), parts_json = VALUES(parts_json),"
                + " tool_calls = VALUES(tool_calls), input_tokens = VALUES(input_tokens), output_tokens = VALUES(output_tokens),"
                + " cache_read_tokens = VALUES(cache_read_tokens), cache_write_tokens = VALUES(cache_write_tokens)";
    }

    /** MySQL allows neither a limit in an {@code IN} subquery nor a subquery on the table it deletes from. */
    @Override
    String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE trace_id = ? " + limit();
    }
}
