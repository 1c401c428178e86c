package dev.tracestore.storage.jdbc;

import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import dev.tracestore.spi.TraceStorage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TraceStorage} over a JDBC {@link DataSource}: SQLite (the embedded default),
 * PostgreSQL, MySQL/MariaDB and H2, each through its {@link Dialect}.
 *
 * <p>The embedded default is an SQLite file opened with
 * {@code jdbc:sqlite:FILE?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL}:
 * a killed process loses no acknowledged batch there and leaves none in part, as on PostgreSQL
 * and MariaDB. An H2 file does not (see {@link Dialect#h2()}); the
 * builder logs a WARN line for it and for other unsafe settings it can see.
 *
 * <p>Wire it to the application's connection pool and create the tables once:
 * <pre>{@code
 * JdbcTraceStorage storage = JdbcTraceStorage.builder(dataSource).tablePrefix("tracestore_").build();
 * storage.migrate();
 * TraceStore store = TraceStore.builder().storage(storage).build();
 * }</pre>
 *
 * <p><b>Counting.</b> A batch is one transaction: first the single write to the trace row
 * ({@code message_count = message_count + ?}, {@code updated_at = ?}, only if the trace is not
 * being deleted, which also takes the row's write lock), then the messages in the order given,
 * as native multi-row upserts of up to 1000 messages (and about a million characters of text)
 * per statement. On PostgreSQL the trace-row write and the first upsert go to the server
 * together, so a batch costs two round trips with the commit
 * ({@link Dialect#runsStatementsTogether()}). A null (unknown) count stays null. A recount locks the
 * trace row, then counts in a new statement at READ COMMITTED (SQLite: after taking the
 * database's write lock), then sets the count. Deletion tombstones the row, deletes messages
 * in chunks of one statement each, then removes the row. A transaction that fails with a
 * deadlock or serialization failure is run again, up to {@link Builder#maxAttempts(int)}
 * times with a growing, jittered pause; any other failure is a {@link StorageException}
 * naming the operation (never message content) and wrapping the {@link SQLException}.
 *
 * <p>How each database stores text (U+0000 included), orders ids and keeps instants is in the
 * package's documentation.
 *
 * <p>Instances are immutable and thread-safe; share one per data source and prefix. Every
 * operation borrows one connection and returns it before returning. The pool should hold at
 * least as many connections as threads using the store at once.
 */
public final class JdbcTraceStorage implements TraceStorage {
    private static final Logger log = LoggerFactory.getLogger(JdbcTraceStorage.class);
    private static final Pattern PREFIX = Pattern.compile("([a-z][a-z0-9_]{0,29})?");

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String prefix;
    /** Runs every read and transaction: retries, SQLite's write lock, connection upkeep. */
    private final JdbcTransactions tx;
    private final Clock clock;
    /** Where the migrations are: the shipped scripts' directory, and in tests a fixture's too. */
    private final List<String> migrationLocations;
    /** Every statement's text, built once for the dialect and prefix. */
    private final JdbcStatements sql;
    /** A batch's compiled statements, kept for the next batch where the dialect asks for it. */
    private final StatementCache statements;
    /** Recounts and truncations: a trace's count and totals set to its rows'. */
    private final JdbcRecounts recounts;
    private final JdbcShareTokens shares;

    private JdbcTraceStorage(DataSource dataSource, Dialect dialect, String prefix, int maxAttempts,
            Duration writeLockTimeout, Clock clock, List<String> migrationLocations) {
        this.dataSource = dataSource;
        this.clock = clock;
        this.migrationLocations = migrationLocations;
        this.dialect = dialect;
        this.prefix = prefix;
        this.tx = new JdbcTransactions(dataSource, dialect, prefix, maxAttempts, writeLockTimeout);
        this.sql = new JdbcStatements(dialect, prefix);
        this.statements = new StatementCache(dialect.statementsKept());
        this.recounts = new JdbcRecounts(tx, dialect, sql);
        this.shares = new JdbcShareTokens(tx, sql);
    }

    /**
     * A storage over {@code dataSource} with the default settings: the dialect detected from
     * the database, table prefix {@code tracestore_}. Opens one connection to detect the
     * dialect. Call {@link #migrate()} before first use if the tables may be missing.
     *
     * @throws IllegalArgumentException if the database is not supported, naming it and the supported list
     * @throws StorageException         if no connection can be opened
     */
    public static JdbcTraceStorage create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /** A builder over {@code dataSource}, the application's connection pool. */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /** The dialect in use. */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * How many transactions this storage has run again after a deadlock, lock timeout or
     * serialization failure: the kit asserts none under its concurrent writers, where such a
     * retry would be a design flaw hidden behind a DEBUG line.
     */
    long retriedTransactions() {
        return tx.retried();
    }

    /** The table prefix: the tables are {@code <prefix>traces}, {@code <prefix>messages} and {@code <prefix>schema_history}. */
    public String tablePrefix() {
        return prefix;
    }

    /**
     * Creates the tables and indexes, or brings them up to date: applies the shipped
     * migrations ({@code db/tracestore/<dialect>/V<n>__<description>.sql}) not yet recorded in
     * {@code <prefix>schema_history}, and records each with its checksum and the builder's
     * {@linkplain Builder#clock clock}'s instant. Idempotent, and safe when several processes
     * call it at once: one migration of a schema runs at a time (a lock of the database).
     * A shipped migration that changed after it was applied is reported. Applications that run Flyway can point it at the same
     * location instead, with the placeholder {@code prefix} (and, for MySQL/MariaDB,
     * {@code idCollation}; see {@link Dialect#migrationPlaceholders}).
     *
     * @return how many migrations this call applied (0 when the schema was up to date)
     * @throws StorageException if the database refuses a migration, naming its version
     */
    public int migrate() {
        return new Migrator(dataSource, dialect, prefix, migrationLocations, clock).migrate();
    }

    // ------------------------------------------------------------------ traces

    @Override
    public StoredTrace upsertTrace(TraceInput in, Instant now) {
        StorableText.requireStorable(dialect, in);
        // Single statements, each atomic on its own: a transaction spanning the update and the
        // insert would take gap locks on MySQL and deadlock concurrent creators of one key.
        for (int round = 1; ; round++) {
            boolean written = tx.write("updating a trace", c -> updateTrace(c, in, now)) > 0
                    || tx.write("inserting a trace", c -> insertTrace(c, in, now));
            Row row = tx.read("reading a trace", c -> traceByKey(c, in.namespace(), in.externalId()));
            if (row != null && row.deleting) {
                throw new TraceNotFoundException(row.trace.id(), in.namespace(), in.externalId());
            }
            if (written && row != null) {
                return row.trace;
            }
            if (round >= 100) {
                throw new StorageException("JDBC storage (" + dialect + "): upserting a trace did not settle after "
                        + round + " rounds of concurrent changes to its key", null);
            }
            // Created or removed concurrently between our statements: look again.
        }
    }

    private int updateTrace(Connection c, TraceInput in, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.updateTrace)) {
            ps.setString(1, in.title());
            ps.setString(2, in.agentId());
            ps.setString(3, in.model());
            ps.setString(4, in.visibility() == null ? null : in.visibility().name());
            ps.setString(5, in.projectName());
            dialect.setInstant(ps, 6, now);
            boolean turnsPrivate = in.visibility() == Visibility.PRIVATE;
            ps.setBoolean(7, turnsPrivate);
            ps.setBoolean(8, turnsPrivate);
            ps.setString(9, in.namespace());
            ps.setString(10, in.externalId());
            return ps.executeUpdate();
        }
    }

    /** Inserts the trace; false if its key exists. */
    private boolean insertTrace(Connection c, TraceInput in, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.insertTrace)) {
            ps.setString(1, in.namespace());
            ps.setString(2, in.externalId());
            ps.setString(3, in.title());
            ps.setString(4, in.agentId());
            ps.setString(5, in.model());
            ps.setString(6, (in.visibility() == null ? Visibility.PRIVATE : in.visibility()).name());
            ps.setString(7, in.projectName());
            dialect.setInstant(ps, 8, in.createdAt() == null ? now : in.createdAt());
            dialect.setInstant(ps, 9, now);
            return ps.executeUpdate() > 0;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    private Row traceByKey(Connection c, String namespace, String externalId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql.traceByKey)) {
            ps.setString(1, namespace);
            ps.setString(2, externalId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? new Row(sql.trace(rs), rs.getBoolean(JdbcStatements.TRACE_COLUMN_COUNT + 1)) : null;
            }
        }
    }

    @Override
    public Optional<StoredTrace> findTrace(long traceId) {
        return Optional.ofNullable(tx.read("reading a trace", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.traceById)) {
                ps.setLong(1, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? sql.trace(rs) : null;
                }
            }
        }));
    }

    @Override
    public Optional<StoredTrace> findTrace(String namespace, String externalId) {
        Row row = tx.read("reading a trace", c -> traceByKey(c, namespace, externalId));
        return row == null || row.deleting ? Optional.empty() : Optional.of(row.trace);
    }

    @Override
    public Optional<StoredTrace> findTraceByShareKey(String shareKey) {
        return shares.find(shareKey);
    }

    @Override
    public boolean createShareToken(long traceId, ShareToken token) {
        return shares.create(traceId, token);
    }

    @Override
    public void revokeShareToken(long traceId) {
        shares.revoke(traceId);
    }

    @Override
    public List<StoredTrace> listTraces(TraceListQuery q) {
        if (!dialect.storesNulCharacter() && StorableText.hasNul(q.agentId())) {
            return List.of(); // no stored trace has it (requireStorable), and the database would refuse the parameter
        }
        return tx.read("listing traces", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    sql.listTraces(q.agentId() != null, q.visibility() != null, q.after() != null))) {
                int i = 1;
                ps.setString(i++, q.namespace());
                if (q.agentId() != null) {
                    ps.setString(i++, q.agentId());
                }
                if (q.visibility() != null) {
                    ps.setString(i++, q.visibility().name());
                }
                if (q.after() != null) {
                    dialect.setInstant(ps, i++, q.after().updatedAt());
                    dialect.setInstant(ps, i++, q.after().updatedAt());
                    ps.setLong(i++, q.after().id());
                }
                ps.setInt(i, q.limit());
                List<StoredTrace> rows = new ArrayList<>(Math.min(q.limit(), 128));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        rows.add(sql.trace(rs));
                    }
                }
                return rows;
            }
        });
    }

    // ------------------------------------------------------------------ messages and counts

    @Override
    public void writeMessages(long traceId, List<Message> batch, long countIncrement, TraceTotals added, CursorMove cursor,
            Instant now) {
        StorableText.requireStorable(dialect, batch);
        tx.write("writing messages to trace " + traceId, c -> statements.run(c, prepared -> {
            // The one write to the trace row comes first: existence check, increment and write lock
            // at once. The messages follow as multi-row upserts, one statement per chunk, so one
            // round trip and one statement for the database to run, whatever the driver does with
            // JDBC batches. Where the driver sends two statements together, the first chunk goes
            // with the increment, in one round trip, run by the server in order; that upsert is
            // guarded by the trace's visibility, so after an increment that matched nothing (an
            // absent or tombstoned trace) it writes and locks nothing, and cannot wait for the
            // trace row while holding messages that a deleter, which holds the row, wants next.
            boolean together = dialect.runsStatementsTogether() && !batch.isEmpty();
            int from = together ? JdbcStatements.rowsInStatement(batch, 0) : 0;
            // With a cursor, the same increment compares and sets it: one write, no extra statement.
            String increment = cursor == null ? sql.increment : sql.incrementWithCursor;
            // Prepared on the pool's connection, never kept: a pool that rolls back on return only what it
            // saw write (HikariCP) must see this one, or a transaction whose rollback failed would be
            // committed by the pool resetting auto-commit (FaultInjectionTest, rollback failing too).
            try (PreparedStatement ps = c.prepareStatement(together ? sql.incrementAndUpsert(from, cursor != null)
                    : increment)) {
                int p = sql.bindIncrement(ps, 1, countIncrement, added, cursor, now, traceId);
                if (together) {
                    ps.setLong(sql.bindMessages(ps, p, traceId, batch.subList(0, from)), traceId);
                }
                ps.execute();
                if (ps.getUpdateCount() == 0) { // the increment's count: the first result
                    // Only a failed write reads the row, to tell a missing trace from another cursor; the
                    // exception rolls back whatever the guarded upsert wrote.
                    throw cursor == null ? new TraceNotFoundException(traceId) : JdbcRecounts.cursorFailure(c, sql, traceId, cursor);
                }
            }
            while (from < batch.size()) {
                int rows = JdbcStatements.rowsInStatement(batch, from);
                PreparedStatement upsert = prepared.prepare(sql.upsertMessages(rows));
                sql.bindMessages(upsert, 1, traceId, batch.subList(from, from + rows));
                upsert.executeUpdate();
                from += rows;
            }
            return null;
        }));
    }

    @Override
    public long countMessages(long traceId) {
        return ofVisibleTrace("counting the messages of trace " + traceId, sql.countMessages, traceId,
                rs -> rs.getLong(1));
    }

    @Override
    public TraceTotals sumMessages(long traceId) {
        return ofVisibleTrace("summing the messages of trace " + traceId, sql.sumMessages, traceId,
                rs -> sql.totals(rs, 1));
    }

    /** A row read about a live trace's messages, with a query that binds the trace id twice. */
    private interface MessageFigure<T> {
        T read(ResultSet rs) throws SQLException;
    }

    /**
     * What {@code query} reads about a live trace's messages, without locking.
     *
     * @throws TraceNotFoundException if the trace is absent or being deleted (the query finds no row)
     */
    private <T> T ofVisibleTrace(String operation, String query, long traceId, MessageFigure<T> figure) {
        T value = tx.read(operation, c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                ps.setLong(1, traceId);
                ps.setLong(2, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? figure.read(rs) : null;
                }
            }
        });
        if (value == null) {
            throw new TraceNotFoundException(traceId);
        }
        return value;
    }

    @Override
    public RecountResult recount(long traceId) {
        return recounts.recount(traceId);
    }

    /**
     * {@inheritDoc} One transaction at the recount's isolation: the cursor's compare-and-set
     * takes the row's write lock (a batch in flight commits first), then the {@code DELETE},
     * then the recount's count, sum and set.
     */
    @Override
    public RecountResult truncateMessages(long traceId, long fromSequence, CursorMove cursor, Instant now) {
        return recounts.truncate(traceId, fromSequence, cursor, now);
    }

    @Override
    public List<Message> listMessages(long traceId, MessagePosition after, int limit) {
        return tx.read("listing the messages of trace " + traceId, c -> {
            sql.requireVisible(c, traceId);
            try (PreparedStatement ps = c.prepareStatement(sql.listMessages(after != null))) {
                int i = 1;
                ps.setLong(i++, traceId);
                if (after != null) {
                    ps.setLong(i++, after.sequence());
                    ps.setLong(i++, after.sequence());
                    ps.setString(i++, after.externalId());
                }
                ps.setInt(i, limit);
                List<Message> page = new ArrayList<>(Math.min(limit, 1024));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(sql.message(rs));
                    }
                }
                return page;
            }
        });
    }

    @Override
    public List<Long> tracesWithUnknownCount(long afterId, int limit) {
        return ids("finding traces with an unknown count", sql.unknownCounts, afterId, limit);
    }

    // ------------------------------------------------------------------ deletion

    @Override
    public boolean markDeleting(long traceId) {
        return tx.write("tombstoning trace " + traceId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.markDeleting)) {
                ps.setLong(1, traceId);
                if (ps.executeUpdate() > 0) {
                    return true;
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.traceExists)) {
                ps.setLong(1, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next(); // MySQL reports 0 changed rows when it was tombstoned already
                }
            }
        });
    }

    /**
     * {@inheritDoc} One short transaction: locks the tombstoned row, then one {@code DELETE} of
     * at most {@code chunkSize} rows.
     *
     * @throws IllegalStateException if the trace is not tombstoned
     */
    @Override
    public int deleteMessages(long traceId, int chunkSize) {
        return tx.write("deleting messages of trace " + traceId, c -> {
            // Only a tombstoned trace loses messages: on a live one this would break the count silently.
            // The row lock makes concurrent deleters of one trace take turns, so none of them sees an
            // empty chunk while another still holds rows, and removes the trace too early.
            try (PreparedStatement ps = c.prepareStatement(sql.lockTombstone)) {
                ps.setLong(1, traceId);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        return 0;
                    }
                    if (!rs.getBoolean(1)) {
                        throw new IllegalStateException("trace " + traceId + " must be marked as deleting first");
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql.deleteMessageChunk)) {
                ps.setLong(1, traceId);
                ps.setInt(2, chunkSize);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void removeTrace(long traceId) {
        tx.write("removing trace " + traceId, c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.removeTrace)) {
                ps.setLong(1, traceId);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public List<Long> deletingTraces(int limit) {
        return ids("finding interrupted deletions", sql.deletingTraces, 0, limit);
    }

    @Override
    public List<Long> traceIds(String namespace, long afterId, int limit) {
        return tx.read("listing trace ids", c -> {
            try (PreparedStatement ps = c.prepareStatement(sql.traceIds)) {
                ps.setString(1, namespace);
                ps.setLong(2, afterId);
                ps.setInt(3, limit);
                return longs(ps);
            }
        });
    }

    // ------------------------------------------------------------------ helpers

    private List<Long> ids(String operation, String query, long afterId, int limit) {
        return tx.read(operation, c -> {
            try (PreparedStatement ps = c.prepareStatement(query)) {
                ps.setLong(1, afterId);
                ps.setInt(2, limit);
                return longs(ps);
            }
        });
    }

    private static List<Long> longs(PreparedStatement ps) throws SQLException {
        List<Long> ids = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getLong(1));
            }
        }
        return ids;
    }

    private static String quoted(String id) {
        return '"' + id + '"';
    }

    /** A trace row with its tombstone flag. */
    private record Row(StoredTrace trace, boolean deleting) {
    }

    /**
     * Builds a {@link JdbcTraceStorage}. Not thread-safe; {@link #build()} validates every
     * setting, and the storage it returns no longer depends on the builder.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private Dialect dialect;
        private String tablePrefix = "tracestore_";
        private int maxAttempts = 8;
        private Duration writeLockTimeout = Duration.ofSeconds(30);
        private Clock clock = Clock.systemUTC();
        private List<String> extraMigrations = List.of();

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /** The dialect; by default detected from the database's {@link java.sql.DatabaseMetaData}. */
        public Builder dialect(Dialect dialect) {
            this.dialect = dialect;
            return this;
        }

        /**
         * The prefix of the table names: empty, or a lower-case letter followed by at most 29
         * lower-case letters, digits and underscores; default {@code tracestore_}.
         */
        public Builder tablePrefix(String tablePrefix) {
            this.tablePrefix = tablePrefix;
            return this;
        }

        /**
         * How many times a transaction is run in all when it keeps failing with a deadlock or
         * serialization failure, 1 to 100; default 8. Pauses between attempts grow from a few
         * milliseconds to at most 200 ms, jittered.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * On SQLite, which runs one writing transaction at a time, how long a transaction waits
         * for the other transactions of this storage before it fails with a
         * {@linkplain StorageException#isRetryable() retryable} {@link StorageException}; default
         * 30 s (HikariCP's default connection timeout: set it to your pool's). Writers in other
         * processes are waited for by SQLite's own {@code busy_timeout}. Unused on other databases.
         */
        public Builder writeLockTimeout(Duration writeLockTimeout) {
            this.writeLockTimeout = writeLockTimeout;
            return this;
        }

        /** The clock whose instants the schema history records; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Tests: migration directories on the classpath to apply after the shipped ones, such as a fixture's V2. */
        Builder extraMigrations(List<String> directories) {
            this.extraMigrations = List.copyOf(directories);
            return this;
        }

        /**
         * The storage. Opens one connection, to detect the dialect if none was given and to
         * inspect the database's settings: a setting under which a killed process can lose or
         * split batches is logged as a WARN line naming it (an H2 file database; on SQLite
         * {@code foreign_keys} off, {@code busy_timeout=0}, {@code synchronous=OFF}), and one under
         * which a batch would not be atomic (SQLite {@code journal_mode} {@code MEMORY} or
         * {@code OFF}) is refused. With an explicit dialect, a database that cannot be reached
         * yet is not inspected.
         *
         * @throws IllegalArgumentException naming the setting and the value, if one is invalid, or
         *                                  naming the product and the supported list, if the database is not supported
         * @throws StorageException         if detecting the dialect fails
         */
        public JdbcTraceStorage build() {
            if (dataSource == null) {
                throw new IllegalArgumentException("dataSource: must not be null");
            }
            if (tablePrefix == null || !PREFIX.matcher(tablePrefix).matches()) {
                throw new IllegalArgumentException("tablePrefix: must be empty or a lower-case letter followed by at most"
                        + " 29 lower-case letters, digits or underscores; got "
                        + (tablePrefix == null ? "null" : quoted(tablePrefix)));
            }
            if (maxAttempts < 1 || maxAttempts > 100) {
                throw new IllegalArgumentException("maxAttempts: must be between 1 and 100; got " + maxAttempts);
            }
            if (writeLockTimeout == null || writeLockTimeout.isNegative() || writeLockTimeout.isZero()) {
                throw new IllegalArgumentException("writeLockTimeout: must be positive; got " + writeLockTimeout);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock: must not be null");
            }
            Dialect chosen = dialect;
            Dialect.Safety safety = Dialect.Safety.SAFE;
            try (Connection c = dataSource.getConnection()) {
                if (chosen == null) {
                    chosen = Dialect.detect(c.getMetaData());
                }
                safety = chosen.inspect(c);
            } catch (SQLException e) {
                if (chosen == null) {
                    throw new StorageException("JDBC storage: detecting the database dialect failed (SQLState "
                            + e.getSQLState() + ")", e);
                }
                log.debug("Could not inspect the settings of the {} database: {}", chosen, e.toString());
            }
            for (String warning : safety.warnings()) {
                log.warn("JDBC storage ({}): {}", chosen, warning);
            }
            if (!safety.refusals().isEmpty()) {
                throw new IllegalArgumentException("dataSource: " + String.join("; ", safety.refusals()));
            }
            List<String> migrations = new ArrayList<>(Migrator.shipped(chosen));
            migrations.addAll(extraMigrations);
            JdbcTraceStorage storage = new JdbcTraceStorage(dataSource, Objects.requireNonNull(chosen), tablePrefix,
                    maxAttempts, writeLockTimeout, clock, List.copyOf(migrations));
            log.debug("Created a JDBC trace storage: dialect {}, table prefix \"{}\"", chosen, tablePrefix);
            return storage;
        }
    }
}
