/**
 * The JDBC storage adapter, for applications that keep traces in a relational database (SQLite
 * embedded by default, PostgreSQL, MySQL/MariaDB, H2). For callers: build a
 * {@link dev.tracestore.storage.jdbc.JdbcTraceStorage} from the application's
 * {@link javax.sql.DataSource}, call {@code migrate()} once, and pass it to
 * {@link dev.tracestore.TraceStore.Builder#storage}.
 *
 * <p><b>Text.</b> Text is stored faithfully, emoji, CJK and right-to-left scripts included,
 * on every dialect (MySQL/MariaDB tables use {@code utf8mb4}). U+0000 is stored faithfully on
 * H2, MySQL/MariaDB and SQLite; PostgreSQL cannot store it in text, so there a title, agent,
 * model, project, message text, message model or parts JSON containing U+0000 is rejected
 * with an {@link java.lang.IllegalArgumentException} naming the field, and nothing is written.
 *
 * <p><b>Order of ids.</b> Messages list by sequence, then external id. H2 compares ids as
 * {@link java.lang.String#compareTo} does; PostgreSQL ({@code "C"} collation), MySQL/MariaDB (binary
 * collation) and SQLite ({@code BINARY}) compare them by code point. The two orders agree for
 * every id without characters above U+FFFF; an id with such a character (an emoji) sorts after
 * ids with characters in U+E000–U+FFFF on those databases, and before them in Java.
 *
 * <p><b>Instants</b> are stored with microsecond precision and read back exactly: UTC
 * {@code TIMESTAMP(6)} on H2, {@code timestamptz} on PostgreSQL, UTC {@code DATETIME(6)} on
 * MySQL/MariaDB, epoch microseconds on SQLite.
 */
package dev.tracestore.storage.jdbc;
