/**
 * SQL dialects of the JDBC storage, for applications that choose a dialect explicitly and
 * for contributors adding a database. One class per database over
 * {@link dev.tracestore.storage.jdbc.dialect.Dialect}, which holds the standard SQL; each
 * overrides only what its database does differently. Applications only pick one (for
 * example {@link dev.tracestore.storage.jdbc.dialect.Dialect#postgresql()}); the SQL-building
 * methods are for {@link dev.tracestore.storage.jdbc.JdbcTraceStorage}.
 */
package dev.tracestore.storage.jdbc.dialect;
