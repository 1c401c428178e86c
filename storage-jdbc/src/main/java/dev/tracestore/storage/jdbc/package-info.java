/**
 * The JDBC storage adapter, for applications that keep traces in a relational database (SQLite
 * embedded by default, PostgreSQL, MySQL/MariaDB, H2). For callers: build a
 * {@link dev.tracestore.storage.jdbc.JdbcTraceStorage} from the application's
 * {@link javax.sql.DataSource}, call {@code migrate()} once, and pass it to
 * {@link dev.tracestore.TraceStore.Builder#storage}.
 */
package dev.tracestore.storage.jdbc;
