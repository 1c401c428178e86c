package dev.tracestore.storage.jdbc;

import dev.tracestore.StorageException;
import dev.tracestore.storage.jdbc.dialect.Dialect;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the shipped migrations ({@code db/tracestore/<dialect>/V<n>__<description>.sql})
 * that a schema lacks, and records each in {@code <prefix>schema_history}.
 *
 * <p>Safe when several processes migrate at once, without a lock: every shipped statement is
 * idempotent ({@code CREATE … IF NOT EXISTS}), a version that fails is run again after a
 * pause (the other process may have been creating the same table), and recording a version
 * that another process recorded first is not an error.
 */
final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    /** The shipped migrations, in order; the same versions exist for every dialect. */
    private static final List<String> MIGRATIONS = List.of("V1__create_tables.sql");
    private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.sql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
    private static final int ATTEMPTS = 5;

    private final DataSource dataSource;
    private final Dialect dialect;
    private final String prefix;
    private final String history;

    Migrator(DataSource dataSource, Dialect dialect, String prefix) {
        this.dataSource = dataSource;
        this.dialect = dialect;
        this.prefix = prefix;
        this.history = dialect.quote(prefix + "schema_history");
    }

    /** Applies what is missing; returns how many versions this call applied. */
    int migrate() {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                c.setAutoCommit(true);
                return migrate(c);
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS) {
                    throw new StorageException("JDBC storage (" + dialect + "): migrating the schema with table prefix \""
                            + prefix + "\" failed (SQLState " + e.getSQLState() + ", error " + e.getErrorCode() + ")", e);
                }
                // Most likely another process is migrating the same schema: let it finish, then look again.
                log.debug("Migration attempt {} failed ({}); retrying", attempt, e.getSQLState());
                pause(attempt);
            }
        }
    }

    private int migrate(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("CREATE TABLE IF NOT EXISTS " + history + " (version INTEGER NOT NULL PRIMARY KEY,"
                    + " description VARCHAR(200) NOT NULL, installed_on VARCHAR(40) NOT NULL)");
        }
        Set<Integer> applied = applied(c);
        Map<String, String> placeholders = new HashMap<>(dialect.migrationPlaceholders(c.getMetaData()));
        placeholders.put("prefix", prefix);
        int count = 0;
        for (String file : MIGRATIONS) {
            Matcher m = NAME.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException("migration file name " + file + " is not V<n>__<description>.sql");
            }
            int version = Integer.parseInt(m.group(1));
            if (applied.contains(version)) {
                continue;
            }
            for (String sql : statements(read(file), placeholders)) {
                try (Statement s = c.createStatement()) {
                    s.execute(sql);
                }
            }
            if (record(c, version, m.group(2))) {
                count++;
                log.debug("Applied migration {} of {} with table prefix \"{}\"", file, dialect, prefix);
            }
        }
        return count;
    }

    private Set<Integer> applied(Connection c) throws SQLException {
        Set<Integer> versions = new HashSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT version FROM " + history)) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }

    /** Records a version; false if another process recorded it first. */
    private boolean record(Connection c, int version, String description) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO " + history + " (version, description, installed_on) VALUES (?, ?, ?)")) {
            ps.setInt(1, version);
            ps.setString(2, description);
            ps.setString(3, Instant.now().toString());
            ps.executeUpdate();
            return true;
        } catch (SQLException e) {
            if (dialect.isDuplicateKey(e)) {
                return false;
            }
            throw e;
        }
    }

    private String read(String file) {
        String path = "db/tracestore/" + dialect.name() + "/" + file;
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + path, e);
        }
    }

    /** The script's statements: comment lines dropped, placeholders replaced, split at a {@code ;} ending a line. */
    static List<String> statements(String script, Map<String, String> placeholders) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        Matcher m = PLACEHOLDER.matcher(sql);
        StringBuilder replaced = new StringBuilder();
        while (m.find()) {
            String value = placeholders.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("migration placeholder ${" + m.group(1) + "} has no value");
            }
            m.appendReplacement(replaced, Matcher.quoteReplacement(value));
        }
        m.appendTail(replaced);
        List<String> statements = new ArrayList<>();
        for (String s : replaced.toString().split(";\\s*\n")) {
            if (!s.isBlank()) {
                statements.add(s.strip());
            }
        }
        return statements;
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(50L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while waiting to retry a migration", e);
        }
    }
}
