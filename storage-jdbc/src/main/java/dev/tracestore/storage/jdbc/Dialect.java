package dev.tracestore.storage.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The database a {@link JdbcTraceStorage} talks to. Applications normally let the storage
 * detect it from the connection's {@link DatabaseMetaData}, or pass one of {@link #h2()},
 * {@link #postgresql()}, {@link #mysql()} or {@link #sqlite()} to
 * {@link JdbcTraceStorage.Builder#dialect}; a dialect offers nothing else to them.
 *
 * <p>Inside the package, this base class holds the standard SQL fragments and behaviour, and
 * one subclass per database overrides only what that database does differently (native upsert,
 * instant types, row locking, paging, identifier quoting, which errors are worth a retry, how a
 * migration is kept exclusive). {@link JdbcStatements} puts the fragments together into every
 * statement the storage sends, once per table prefix. Every fragment binds values as
 * parameters; the only identifiers inserted into SQL are table names made from a validated
 * prefix, quoted. Dialects are immutable and thread-safe.
 */
public abstract class Dialect {

    /** The database products a dialect exists for, as {@link DatabaseMetaData#getDatabaseProductName()} names them. */
    public static final List<String> SUPPORTED_PRODUCTS = List.of("H2", "PostgreSQL", "MySQL", "MariaDB", "SQLite");

    /** What the standard upserts do with a message whose (trace, external id) exists: replace its other columns. */
    static final String ON_CONFLICT_REPLACE = " ON CONFLICT (trace_id, external_id) DO UPDATE SET seq = excluded.seq,"
            + " role = excluded.role, body = excluded.body, model = excluded.model, created_at = excluded.created_at,"
            + " parts_json = excluded.parts_json, tool_calls = excluded.tool_calls, input_tokens = excluded.input_tokens,"
            + " output_tokens = excluded.output_tokens, cache_read_tokens = excluded.cache_read_tokens,"
            + " cache_write_tokens = excluded.cache_write_tokens";

    /** Only this package's subclasses: the set of databases is closed. */
    Dialect() {
    }

    /**
     * The H2 database (2.x), for tests in memory. An H2 <em>file</em> does not survive a killed
     * process intact: kills were found to lose acknowledged batches and to leave a batch stored
     * in part, with {@code WRITE_DELAY=0} too ({@code KillDuringIngestTest}), and the storage
     * logs a warning for one. The embedded default is {@link #sqlite()}.
     */
    public static Dialect h2() {
        return new H2Dialect();
    }

    /** PostgreSQL (12 or later). */
    public static Dialect postgresql() {
        return new PostgresDialect();
    }

    /** MySQL (8.0 or later) and MariaDB (10.5 or later). */
    public static Dialect mysql() {
        return new MySqlDialect();
    }

    /**
     * SQLite (3.35 or later), through the xerial driver: the embedded default. Open its
     * connections with
     * {@code jdbc:sqlite:FILE?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL};
     * under these settings a killed process loses no acknowledged batch and leaves no batch in
     * part ({@code KillDuringIngestTest}). The storage warns about {@code foreign_keys} off, a
     * {@code busy_timeout} of 0 and {@code synchronous=OFF}, and refuses {@code journal_mode}
     * {@code MEMORY} and {@code OFF}, under which a crash in a transaction can corrupt the database.
     */
    public static Dialect sqlite() {
        return new SqliteDialect();
    }

    /**
     * The dialect of the database the metadata describes.
     *
     * @throws IllegalArgumentException naming the product and the supported list, if no dialect fits
     * @throws SQLException             if the metadata cannot be read
     */
    static Dialect detect(DatabaseMetaData metaData) throws SQLException {
        return forProduct(metaData.getDatabaseProductName());
    }

    /**
     * The dialect of a database product, as {@link DatabaseMetaData#getDatabaseProductName()}
     * names it (case-insensitive).
     *
     * @throws IllegalArgumentException naming the product and the supported list, if no dialect fits
     */
    static Dialect forProduct(String productName) {
        String p = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
        if (p.equals("h2")) {
            return h2();
        }
        if (p.equals("postgresql")) {
            return postgresql();
        }
        if (p.equals("mysql") || p.equals("mariadb")) {
            return mysql();
        }
        if (p.equals("sqlite")) {
            return sqlite();
        }
        throw new IllegalArgumentException("dataSource: unsupported database product \"" + productName
                + "\"; supported: " + String.join(", ", SUPPORTED_PRODUCTS));
    }

    /**
     * The dialect's short name ({@code h2}, {@code postgresql}, {@code mysql}, {@code sqlite}),
     * which is also the directory of its migrations: {@code db/tracestore/<name>/}.
     */
    public abstract String name();

    /** {@inheritDoc} The dialect's {@link #name()}. */
    @Override
    public String toString() {
        return name();
    }

    // ------------------------------------------------------------------ identifiers and types

    /** {@code identifier} quoted for this database; the caller has validated it (letters, digits, underscores). */
    String quote(String identifier) {
        return '"' + identifier + '"';
    }

    /**
     * What is unsafe in how the connection's database is configured, for the storage to report
     * when it is built: settings under which a killed process can lose acknowledged batches, leave
     * a batch in part, or corrupt the database. Empty by default (server databases are durable as
     * installed).
     *
     * @throws SQLException if the settings cannot be read
     */
    Safety inspect(Connection c) throws SQLException {
        return Safety.SAFE;
    }

    /**
     * What {@link #inspect(Connection)} found: settings worth a warning, and settings under which
     * the storage's guarantees would be false, so that it refuses the database.
     *
     * @param warnings one sentence per setting, naming it and what it risks
     * @param refusals one sentence per setting, naming it and what it breaks
     */
    record Safety(List<String> warnings, List<String> refusals) {
        /** Nothing found. */
        static final Safety SAFE = new Safety(List.of(), List.of());

        /** Copies the lists. */
        Safety {
            warnings = List.copyOf(warnings);
            refusals = List.copyOf(refusals);
        }
    }

    /**
     * The values of the placeholders ({@code ${name}}) in this dialect's migration scripts,
     * apart from {@code prefix}, which the storage supplies. None by default.
     *
     * @throws SQLException if the metadata cannot be read
     */
    Map<String, String> migrationPlaceholders(DatabaseMetaData metaData) throws SQLException {
        return Map.of();
    }

    /** Binds an instant, stored with microsecond precision. By default a UTC {@code TIMESTAMP(6)}. */
    void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        ps.setObject(index, LocalDateTime.ofInstant(instant, ZoneOffset.UTC));
    }

    /** The {@link java.sql.Types} code of a null instant: {@code TIMESTAMP} by default. */
    int instantType() {
        return Types.TIMESTAMP;
    }

    /** Reads an instant that {@link #setInstant} stored. */
    Instant getInstant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, LocalDateTime.class).toInstant(ZoneOffset.UTC);
    }

    /**
     * Whether text columns store U+0000 faithfully. When false the storage rejects such text
     * with an {@link IllegalArgumentException} naming the field, before writing anything.
     */
    boolean storesNulCharacter() {
        return true;
    }

    // ------------------------------------------------------------------ transactions

    /**
     * The isolation level a recount runs at, or {@code -1} to keep the connection's. Read
     * committed by default, so that the count, a new statement after the row lock, sees every
     * batch committed before the lock was granted.
     */
    int recountIsolation() {
        return Connection.TRANSACTION_READ_COMMITTED;
    }

    /**
     * Whether the database runs one writing transaction at a time (SQLite): the storage then
     * queues its own writers in the JVM instead of letting them poll the database's lock.
     */
    boolean serialisesWrites() {
        return false;
    }

    /**
     * Whether a transaction that failed with {@code e} may succeed when run again: a deadlock
     * or serialization failure (SQLState class 40). Looks at chained exceptions too.
     */
    boolean isRetryable(SQLException e) {
        for (SQLException x = e; x != null; x = x.getNextException()) {
            // Not the whole class 40: 40002 (integrity failure) fails again, and after 40003
            // (completion unknown) the batch may have committed, so running it again could
            // apply its increment twice.
            String state = x.getSQLState();
            if ("40001".equals(state) || "40P01".equals(state)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The isolation level of write transactions (batches, deletion chunks, tombstones), or
     * {@code -1} to keep the connection's: READ COMMITTED by default, whatever the pool is
     * configured with, so that concurrent batches into one trace queue on its row lock instead
     * of failing with serialization errors under REPEATABLE READ or SERIALIZABLE.
     */
    int writeIsolation() {
        return recountIsolation();
    }

    /**
     * Locks a trace row whether or not it is tombstoned and reads its {@code deleting} flag;
     * binds the trace id.
     */
    String lockTombstone(String traces) {
        return "SELECT deleting FROM " + traces + " WHERE id = ? FOR UPDATE";
    }

    /**
     * How many compiled statements of a batch's writes the storage keeps per connection for
     * the next batch ({@link StatementCache}): none by default, where the driver keeps its own
     * or the server parses text cheaply.
     */
    int statementsKept() {
        return 0;
    }

    /**
     * Whether the driver sends two statements joined by {@code ;} in one prepared statement to
     * the server together, in one round trip, and the server runs them in order (PgJDBC does).
     * The storage then sends a batch's trace-row increment together with its first upsert,
     * written with {@link #upsertMessagesIntoVisibleTrace}. False by default: most drivers
     * refuse such a statement, or run only its first part.
     */
    boolean runsStatementsTogether() {
        return false;
    }

    /** Whether {@code e} is a unique-key violation (SQLState 23505 by default). */
    boolean isDuplicateKey(SQLException e) {
        return "23505".equals(e.getSQLState());
    }

    /**
     * Whether {@code e} says a table does not exist: SQLState 42P01 (PostgreSQL), 42S02
     * (MySQL/MariaDB, H2) or 42S04 (H2, a database without tables) by default.
     */
    boolean isMissingTable(SQLException e) {
        String state = e.getSQLState();
        return "42P01".equals(state) || "42S02".equals(state) || "42S04".equals(state);
    }

    // ------------------------------------------------------------------ migrations

    /**
     * A lock held by a database session, named by the one parameter of its statements: what
     * keeps two migrations of one schema apart where the server has such a lock.
     *
     * @param lock           takes the lock, waiting for it; a query
     * @param unlock         releases it; a query
     * @param answersGranted whether {@code lock} answers 1 when granted and 0 when it gave up
     *                       waiting (GET_LOCK), rather than waiting as long as it takes
     */
    record SessionLock(String lock, String unlock, boolean answersGranted) {
    }

    /**
     * The session lock that keeps migrations of one schema apart, or null where the database has
     * none: then {@link #migratesInOneTransaction()} does, or failing that a lock in the JVM (H2,
     * whose file is open in one process only). None by default.
     */
    SessionLock migrationLock() {
        return null;
    }

    /**
     * Whether a migration runs as one transaction, begun with a write that takes the database's
     * write lock and committed at its end (SQLite, whose schema changes are transactional and
     * which has no session locks). False by default.
     */
    boolean migratesInOneTransaction() {
        return false;
    }

    /**
     * Whether a schema change rolls back with its transaction, so that each version can be
     * applied in a transaction of its own, all or nothing (PostgreSQL). False by default: MySQL,
     * MariaDB and H2 commit each schema change at once.
     */
    boolean rollsBackSchemaChanges() {
        return false;
    }

    // ------------------------------------------------------------------ SQL

    /** A comparison with one parameter that is true when both are null too: {@code IS NOT DISTINCT FROM ?} by default. */
    String nullSafeEquals() {
        return " IS NOT DISTINCT FROM ?";
    }

    /** The paging clause that ends a query; binds one parameter, the row limit. */
    String limit() {
        return "FETCH FIRST ? ROWS ONLY";
    }

    /**
     * Inserts a trace unless its key exists; binds namespace, external id, title, agent, model,
     * visibility, project, created, updated. By default a plain insert whose duplicate-key
     * failure the storage catches ({@link #isDuplicateKey}).
     */
    String insertTrace(String traces) {
        return "INSERT INTO " + traces + " (namespace, external_id, title, agent_id, model, visibility, project_name, "
                + "created_at, updated_at, message_count, tool_call_count, input_tokens, output_tokens, cache_read_tokens, "
                + "cache_write_tokens, deleting) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, 0, 0, FALSE)";
    }

    /**
     * Upserts {@code rows} messages in one statement, each inserted or replacing the one with
     * the same (trace, external id);
     * binds the columns of {@link JdbcStatements#WRITTEN_MESSAGE_COLUMNS} for each row in turn. The rows must have
     * distinct (trace, external id) keys. By default a multi-row
     * {@code INSERT … ON CONFLICT DO UPDATE}.
     */
    String upsertMessages(String messages, int rows) {
        return "INSERT INTO " + messages + " (" + JdbcStatements.WRITTEN_MESSAGE_COLUMNS + ") VALUES " + valueRows(rows)
                + ON_CONFLICT_REPLACE;
    }

    /**
     * As {@link #upsertMessages}, but writes nothing unless the trace is visible (present and
     * not being deleted); binds the columns of each row in turn, then the trace id. Used, in
     * the same round trip as the trace-row increment, where {@link #runsStatementsTogether()}:
     * after an increment that matched no row it touches no message, so a write into a trace
     * being deleted never locks a message while it waits for the trace row (the deleter holds
     * the row, then deletes messages). By default {@code INSERT … SELECT … FROM (VALUES …)
     * WHERE EXISTS (…) ON CONFLICT DO UPDATE}, as PostgreSQL writes it.
     */
    String upsertMessagesIntoVisibleTrace(String messages, String traces, int rows) {
        String columns = JdbcStatements.WRITTEN_MESSAGE_COLUMNS;
        return "INSERT INTO " + messages + " (" + columns + ") SELECT * FROM (VALUES " + valueRows(rows)
                + ") AS v (" + columns + ") WHERE EXISTS (SELECT 1 FROM " + traces
                + " WHERE id = ? AND deleting = FALSE)" + ON_CONFLICT_REPLACE;
    }

    /**
     * Whether an upsert of {@code rows} messages binds one array per column, in the one text of
     * {@link #upsertMessageArrays} whatever the number of rows, instead of a row of parameters
     * per message in a text that grows with the rows. False by default.
     */
    boolean bindsMessageArrays(int rows) {
        return false;
    }

    /**
     * The upsert of any number of messages with distinct keys, bound as arrays where
     * {@link #bindsMessageArrays}: binds the trace id, then one array per column of
     * {@link JdbcStatements#MESSAGE_COLUMNS}, in order, all of one length.
     *
     * @throws UnsupportedOperationException where the dialect binds no arrays
     */
    String upsertMessageArrays(String messages) {
        throw new UnsupportedOperationException(name() + " binds no message arrays");
    }

    /**
     * As {@link #upsertMessageArrays}, guarded as {@link #upsertMessagesIntoVisibleTrace} is;
     * binds the trace id, the arrays, then the trace id again.
     *
     * @throws UnsupportedOperationException where the dialect binds no arrays
     */
    String upsertMessageArraysIntoVisibleTrace(String messages, String traces) {
        throw new UnsupportedOperationException(name() + " binds no message arrays");
    }

    /** {@code rows} parenthesised rows of one parameter per message column, separated by commas. */
    static String valueRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: must be at least 1; got " + rows);
        }
        String row = "(?" + ", ?".repeat(JdbcStatements.WRITTEN_COLUMN_COUNT - 1) + ")";
        StringBuilder sql = new StringBuilder(rows * (row.length() + 2));
        for (int i = 0; i < rows; i++) {
            sql.append(i == 0 ? "" : ", ").append(row);
        }
        return sql.toString();
    }

    /**
     * Takes the write lock of a visible trace row until the transaction ends; binds the trace
     * id. Run with {@link java.sql.Statement#execute}; the storage then checks that the trace
     * is visible with a query of its own. By default {@code SELECT … FOR UPDATE}.
     */
    String lockTrace(String traces) {
        return "SELECT id FROM " + traces + " WHERE id = ? AND deleting = FALSE FOR UPDATE";
    }

    /**
     * Deletes up to a chunk of a trace's messages in one statement; binds the trace id, then
     * the chunk size.
     */
    String deleteMessageChunk(String messages) {
        return "DELETE FROM " + messages + " WHERE (trace_id, external_id) IN (SELECT trace_id, external_id FROM "
                + messages + " WHERE trace_id = ? " + limit() + ")";
    }
}
