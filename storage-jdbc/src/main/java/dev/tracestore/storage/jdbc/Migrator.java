package dev.tracestore.storage.jdbc;

import dev.tracestore.StorageException;
import dev.tracestore.spi.Migrations;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * Applies the shipped migrations ({@code db/tracestore/<dialect>/V<n>__<description>.sql}) that a
 * schema lacks, through the shared {@link Migrations} engine, and records each in
 * {@code <prefix>schema_history} with its checksum and the clock's instant.
 *
 * <p>One migration of a schema runs at a time, whichever process starts it: the engine reads the
 * history only once it holds the lock. The lock is PostgreSQL's session advisory lock, MySQL's
 * and MariaDB's {@code GET_LOCK}, SQLite's write lock (the whole migration is one
 * {@code BEGIN IMMEDIATE}-like transaction, as SQLite runs schema changes in transactions), and
 * on H2, which one process opens at a time, a lock of this JVM. On PostgreSQL and SQLite a
 * version's statements and its history row commit together; MySQL, MariaDB and H2 commit each
 * schema change at once, so there a version is recorded only after its last statement
 * succeeded, and one that was interrupted is run again, and reported if it cannot be.
 */
final class Migrator {
    /** Locks of this JVM's migrations of H2 schemas, by database URL and prefix. */
    private static final Map<String, ReentrantLock> JVM_LOCKS = new ConcurrentHashMap<>();
    /** How long a migration waits for another to finish, on MySQL and MariaDB (GET_LOCK's timeout). */
    static final int LOCK_TIMEOUT_SECONDS = 300;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String prefix;
    private final List<String> locations;
    private final Clock clock;
    private final String history;

    Migrator(DataSource dataSource, Dialect dialect, String prefix, List<String> locations, Clock clock) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.prefix = prefix;
        this.locations = locations;
        this.clock = clock;
        this.history = dialect.quote(prefix + "schema_history");
    }

    /** The shipped scripts' directory for the dialect. */
    static List<String> shipped(Dialect dialect) {
        return List.of("db/tracestore/" + dialect.name());
    }

    /** Applies what is missing; returns how many versions this call applied. */
    int migrate() {
        return migrate(Integer.MAX_VALUE);
    }

    /** Applies what is missing up to {@code version}, as that release would (upgrade tests); returns how many versions this call applied. */
    int migrate(int version) {
        String what = "JDBC storage (" + dialect + "): migrating the schema with table prefix \"" + prefix + "\"";
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(true);
            Map<String, String> placeholders = new HashMap<>(dialect.migrationPlaceholders(c.getMetaData()));
            placeholders.put("prefix", prefix);
            Migrations migrations = Migrations.load(Migrator.class.getClassLoader(), locations, "sql", placeholders)
                    .upTo(version);
            return migrations.migrate(new Run(c), clock, what);
        } catch (SQLException e) {
            throw new StorageException(what + " failed (SQLState " + e.getSQLState() + ", error " + e.getErrorCode()
                    + ")", e);
        }
    }

    /** One migration on one connection: the engine's {@link Migrations.Schema}. */
    private final class Run implements Migrations.Schema {
        private final Connection c;
        /** SQLite: the whole migration is one transaction, committed at its end. */
        private final boolean oneTransaction = dialect.migratesInOneTransaction();

        Run(Connection c) {
            this.c = c;
        }

        @Override
        public int locked(Migrations.Migration migration) throws Exception {
            Dialect.SessionLock sessionLock = dialect.migrationLock();
            if (sessionLock != null) {
                return withSessionLock(sessionLock, migration);
            }
            if (oneTransaction) {
                return inWriteTransaction(migration);
            }
            ReentrantLock lock = JVM_LOCKS.computeIfAbsent(c.getMetaData().getURL() + " " + prefix,
                    k -> new ReentrantLock());
            lock.lock();
            try {
                createHistory();
                return migration.run();
            } finally {
                lock.unlock();
            }
        }

        /** Holds a session lock named after the schema while {@code migration} runs on this connection. */
        private int withSessionLock(Dialect.SessionLock sessionLock, Migrations.Migration migration) throws Exception {
            String name = "tracestore_migrate " + c.getCatalog() + " " + prefix;
            try (PreparedStatement ps = c.prepareStatement(sessionLock.lock())) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (sessionLock.answersGranted() && rs.next() && rs.getInt(1) != 1) {
                        throw new SQLException("another migration of this schema held its lock for over "
                                + LOCK_TIMEOUT_SECONDS + " s");
                    }
                }
            }
            try {
                createHistory();
                return migration.run();
            } finally {
                try (PreparedStatement ps = c.prepareStatement(sessionLock.unlock())) {
                    ps.setString(1, name);
                    ps.executeQuery().close();
                }
            }
        }

        /** SQLite: takes the database's write lock with a first write, and commits the whole migration at once. */
        private int inWriteTransaction(Migrations.Migration migration) throws Exception {
            String lockTable = dialect.quote(prefix + "schema_lock");
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + lockTable + " (id INTEGER PRIMARY KEY)");
            }
            c.setAutoCommit(false);
            try {
                try (Statement s = c.createStatement()) {
                    s.execute("INSERT OR REPLACE INTO " + lockTable + " (id) VALUES (1)"); // waits for busy_timeout
                }
                createHistory();
                int applied = migration.run();
                c.commit();
                return applied;
            } catch (Exception | Error e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }

        /** The history table, and its checksum column where a table from before checksums lacks it. */
        private void createHistory() throws SQLException {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE IF NOT EXISTS " + history + " (version INTEGER NOT NULL PRIMARY KEY,"
                        + " description VARCHAR(200) NOT NULL, installed_on VARCHAR(40) NOT NULL, checksum VARCHAR(16))");
            }
            boolean hasChecksum;
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + history + " WHERE 1 = 0")) {
                hasChecksum = false;
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    hasChecksum |= rs.getMetaData().getColumnName(i).equalsIgnoreCase("checksum");
                }
            }
            if (!hasChecksum) {
                try (Statement s = c.createStatement()) {
                    s.execute("ALTER TABLE " + history + " ADD COLUMN checksum VARCHAR(16)");
                }
            }
        }

        @Override
        public Map<Integer, String> applied() throws SQLException {
            Map<Integer, String> versions = new TreeMap<>();
            try (Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT version, checksum FROM " + history)) {
                while (rs.next()) {
                    versions.put(rs.getInt(1), rs.getString(2));
                }
            }
            return versions;
        }

        @Override
        public void apply(Migrations.Script script, Instant appliedAt) throws SQLException {
            boolean ownTransaction = !oneTransaction && dialect.rollsBackSchemaChanges();
            if (ownTransaction) {
                c.setAutoCommit(false);
            }
            try {
                for (String sql : script.statements()) {
                    try (Statement s = c.createStatement()) {
                        s.execute(sql);
                    }
                }
                try (PreparedStatement ps = c.prepareStatement(
                        "INSERT INTO " + history + " (version, description, installed_on, checksum) VALUES (?, ?, ?, ?)")) {
                    ps.setInt(1, script.version());
                    ps.setString(2, script.description());
                    ps.setString(3, appliedAt.toString());
                    ps.setString(4, script.checksum());
                    ps.executeUpdate();
                }
                if (ownTransaction) {
                    c.commit();
                }
            } catch (SQLException e) {
                if (ownTransaction || oneTransaction) {
                    if (ownTransaction) {
                        c.rollback();
                    }
                    throw e;
                }
                throw new SQLException(e.getMessage() + " (" + dialect + " commits each schema change at once: if an"
                        + " earlier migration was interrupted in this version, part of it may be applied; complete or"
                        + " undo it by hand, then call migrate() again)", e.getSQLState(), e.getErrorCode(), e);
            } catch (RuntimeException e) {
                if (ownTransaction) {
                    c.rollback();
                }
                throw e;
            } finally {
                if (ownTransaction) {
                    c.setAutoCommit(true);
                }
            }
        }

        @Override
        public void recordChecksum(int version, String checksum) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + history + " SET checksum = ? WHERE version = ?")) {
                ps.setString(1, checksum);
                ps.setInt(2, version);
                ps.executeUpdate();
            }
        }
    }
}
