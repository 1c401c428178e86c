/**
 * The JDBC storage adapter, for applications that keep traces in a relational database (H2
 * embedded by default, PostgreSQL, MySQL/MariaDB, SQLite). For callers: build a
 * {@link dev.tracestore.storage.jdbc.JdbcTraceStorage} from the application's
 * {@link javax.sql.DataSource}, call {@code migrate()} once, and pass it to
 * {@link dev.tracestore.TraceStore.Builder#storage}.
 */
package dev.tracestore.storage.jdbc;
