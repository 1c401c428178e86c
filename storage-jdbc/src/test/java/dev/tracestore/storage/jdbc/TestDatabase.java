package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One test class's database: a pool and a table prefix of its own, with the tables migrated;
 * {@link #close()} drops the tables and closes the pool, so a suite can run again on the same
 * server.
 */
final class TestDatabase implements AutoCloseable {
    final Setup setup;
    final HikariDataSource pool;
    final String prefix;
    final Dialect dialect;

    TestDatabase(Setup setup, HikariDataSource pool, String prefix) {
        this.setup = setup;
        this.pool = pool;
        this.prefix = prefix;
        JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(prefix).build();
        this.dialect = storage.dialect();
        storage.migrate();
    }

    /** A storage over this database whose statements and commits pass through {@code interceptor}. */
    JdbcTraceStorage storage(InterceptingDataSource interceptor) {
        return JdbcTraceStorage.builder(interceptor.wrap(pool)).tablePrefix(prefix).build();
    }

    /** The quoted name of one of this database's tables ({@code traces}, {@code messages}). */
    String table(String name) {
        return dialect.quote(prefix + name);
    }

    /** Deletes every row, for a test that needs an empty storage. */
    void clear() {
        Setup.execute(pool, "DELETE FROM " + table("messages"));
        Setup.execute(pool, "DELETE FROM " + table("traces"));
    }

    void execute(String sql) {
        Setup.execute(pool, sql);
    }

    /** The first column of the first row of a query, as a long; null for SQL NULL (test housekeeping). */
    Long queryLong(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            if (!rs.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            long value = rs.getLong(1);
            return rs.wasNull() ? null : value;
        } catch (SQLException e) {
            throw new IllegalStateException("test query failed: " + sql, e);
        }
    }

    /** How many of the pool's connections are borrowed right now. */
    int borrowedConnections() {
        return pool.getHikariPoolMXBean().getActiveConnections();
    }

    @Override
    public void close() {
        try {
            for (String table : new String[] {"messages", "traces", "schema_history"}) {
                execute("DROP TABLE IF EXISTS " + table(table));
            }
        } finally {
            pool.close();
        }
    }
}
