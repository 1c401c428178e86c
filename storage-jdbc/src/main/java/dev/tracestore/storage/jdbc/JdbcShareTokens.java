package dev.tracestore.storage.jdbc;

import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Optional;

/**
 * The share token's three operations, each one statement on the trace row: the lookup by key
 * (through the schema's unique index on {@code share_key}), the conditional set, the removal.
 * Making a trace private removes the token in the trace update itself ({@link JdbcStatements#updateTrace}).
 * Thread-safe.
 */
final class JdbcShareTokens {
    private final JdbcTransactions tx;
    private final JdbcStatements sql;

    JdbcShareTokens(JdbcTransactions tx, JdbcStatements sql) {
        this.tx = tx;
        this.sql = sql;
    }

    Optional<StoredTrace> find(String shareKey) {
        return Optional.ofNullable(tx.read("reading a shared trace", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.traceByShareKey)) {
                ps.setString(1, shareKey);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? sql.trace(rs) : null;
                }
            }
        }));
    }

    boolean create(long traceId, ShareToken token) {
        int set = tx.write("sharing trace " + traceId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.createShareToken)) {
                ps.setString(1, token.key());
                ps.setString(2, token.secret());
                ps.setLong(3, traceId);
                return ps.executeUpdate();
            }
        });
        if (set == 0) { // it has a token, or is private, or is absent: only the last is a failure
            requireVisible(traceId);
        }
        return set > 0;
    }

    void revoke(long traceId) {
        int found = tx.write("revoking the share token of trace " + traceId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.revokeShareToken)) {
                ps.setLong(1, traceId);
                return ps.executeUpdate();
            }
        });
        if (found == 0) { // none matched, or (a driver counting changed rows, not found ones) none had a token
            requireVisible(traceId);
        }
    }

    private void requireVisible(long traceId) {
        tx.read("reading a trace", c -> {
            sql.requireVisible(c, traceId);
            return null;
        });
    }
}
