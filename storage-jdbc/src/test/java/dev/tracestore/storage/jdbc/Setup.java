package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

/**
 * The database setups the storage is tested on. Server URLs come from {@code TRACESTORE_PG_URL}
 * / {@code TRACESTORE_MARIADB_URL} (with {@code _USER} and {@code _PASSWORD}) or default to the
 * local servers. With {@code CI=true} an unreachable server fails the tests; otherwise
 * PostgreSQL falls back to an embedded server and MariaDB tests are skipped
 * ({@link MariaDbAvailable}).
 */
enum Setup {
    H2_MEMORY {
        @Override
        HikariConfig config(String name) {
            return pool("jdbc:h2:mem:" + name, "sa", ""); // lives while the pool holds a connection
        }
    },
    H2_FILE {
        @Override
        HikariConfig config(String name) {
            return pool("jdbc:h2:file:" + dir("h2").resolve(name).toAbsolutePath(), "sa", "");
        }
    },
    SQLITE_FILE {
        @Override
        HikariConfig config(String name) {
            return pool("jdbc:sqlite:" + dir("sqlite").resolve(name + ".db").toAbsolutePath()
                    + "?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL", null, null);
        }
    },
    POSTGRESQL {
        @Override
        HikariConfig config(String name) {
            String url = env("TRACESTORE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test");
            String user = env("TRACESTORE_PG_USER", "postgres");
            String password = env("TRACESTORE_PG_PASSWORD", "");
            if (!CI && !reachable(url, user, password)) {
                url = EmbeddedPostgresHolder.url();
                user = "postgres";
                password = "";
            }
            HikariConfig config = pool(url, user, password);
            config.addDataSourceProperty("reWriteBatchedInserts", "true");
            return config;
        }
    },
    MARIADB {
        @Override
        HikariConfig config(String name) {
            return pool(mariaDbUrl(), env("TRACESTORE_MARIADB_USER", "root"), env("TRACESTORE_MARIADB_PASSWORD", ""));
        }
    };

    /** Whether server-backed tests are mandatory. */
    static final boolean CI = "true".equalsIgnoreCase(System.getenv("CI"));

    /** A pool for this setup's database named {@code name}. */
    abstract HikariConfig config(String name);

    /** Opens a pool on a fresh database (or a fresh table prefix on a server) with the tables migrated. */
    TestDatabase open() {
        String name = "ts" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        HikariConfig config = config(name);
        config.setPoolName(name() + "-" + name);
        return new TestDatabase(this, new HikariDataSource(config), name + "_");
    }

    static String mariaDbUrl() {
        return env("TRACESTORE_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test");
    }

    /**
     * Why MariaDB tests must be skipped, or null when they run (a server is reachable, or
     * {@code CI=true}). Probes the server once per JVM and prints the reason once.
     */
    static String mariaDbSkipReason() {
        return MariaDbProbe.SKIP_REASON;
    }

    private static final class MariaDbProbe {
        static final String SKIP_REASON = probe();

        private static String probe() {
            if (CI || reachable(mariaDbUrl(), env("TRACESTORE_MARIADB_USER", "root"),
                    env("TRACESTORE_MARIADB_PASSWORD", ""))) {
                return null;
            }
            String reason = "MariaDB tests skipped: no server at " + mariaDbUrl() + "; start MariaDB (user root,"
                    + " empty password, database test) or set TRACESTORE_MARIADB_URL (and _USER, _PASSWORD) to run"
                    + " them; CI=true makes them mandatory";
            System.err.println("[WARNING] " + reason);
            return reason;
        }
    }

    private static HikariConfig pool(String url, String user, String password) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
            config.setPassword(password);
        }
        config.setMaximumPoolSize(12); // the kit's 8 writers, a recounter, the test thread
        config.setMinimumIdle(1);
        config.setConnectionTimeout(30_000);
        return config;
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    private static Path dir(String name) {
        try {
            return Files.createDirectories(Path.of("target", name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean reachable(String url, String user, String password) {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", password);
        props.setProperty("connectTimeout", url.toLowerCase(Locale.ROOT).contains("mariadb") ? "3000" : "3");
        try (Connection c = DriverManager.getConnection(url, props)) {
            return c.isValid(3);
        } catch (SQLException e) {
            return false;
        }
    }

    /** An embedded PostgreSQL, started once per JVM on first use, for machines without a server. */
    private static final class EmbeddedPostgresHolder {
        private static final EmbeddedPostgres SERVER = start();

        static String url() {
            return SERVER.getJdbcUrl("postgres", "postgres");
        }

        private static EmbeddedPostgres start() {
            try {
                EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    try {
                        pg.close();
                    } catch (IOException ignored) {
                        // the JVM is exiting
                    }
                }));
                return pg;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start an embedded PostgreSQL", e);
            }
        }
    }

    /** Runs one SQL statement on the pool (test housekeeping). */
    static void execute(javax.sql.DataSource ds, String sql) {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test housekeeping failed: " + sql, e);
        }
    }
}
