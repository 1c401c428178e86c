package dev.tracestore.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import dev.tracestore.storage.jdbc.AdapterSql;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.Locale;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One benchmark trial's database: a pool, tables of its own under a random prefix (so a run
 * never touches other tests' data on a shared server), migrated with the adapter's shipped
 * schema; {@link #close()} drops the tables and closes the pool. Server URLs default to the
 * local servers and can be overridden with {@code TRACESTORE_PG_URL} and
 * {@code TRACESTORE_MARIADB_URL} (with {@code _USER} and {@code _PASSWORD}), as in the
 * adapter's tests.
 */
final class BenchDatabase implements AutoCloseable {

    /** The JDBC databases a benchmark can run on; the names are the values of its {@code storage} parameter. */
    enum Kind {
        h2, sqlite, postgresql, mariadb;

        HikariConfig config(Path dir, boolean readBenchmark) {
            HikariConfig config = new HikariConfig();
            switch (this) {
                case h2 -> {
                    // H2 answers a repeated query from its result cache while no table changed, which
                    // would time a cache lookup instead of the query on read benchmarks. The same
                    // setting also turns off H2's cache of parsed statements, so that every write
                    // would parse its statement again: write benchmarks keep the default (8).
                    config.setJdbcUrl("jdbc:h2:file:" + dir.resolve("bench").toAbsolutePath()
                            + (readBenchmark ? ";QUERY_CACHE_SIZE=0" : ""));
                    config.setUsername("sa");
                    config.setPassword("");
                }
                case sqlite -> config.setJdbcUrl("jdbc:sqlite:" + dir.resolve("bench.db").toAbsolutePath()
                        + "?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL");
                case postgresql -> {
                    config.setJdbcUrl(env("TRACESTORE_PG_URL", "jdbc:postgresql://127.0.0.1:5432/test"));
                    config.setUsername(env("TRACESTORE_PG_USER", "postgres"));
                    config.setPassword(env("TRACESTORE_PG_PASSWORD", ""));
                    // The driver's documented setting for batch inserts; the adapter's tests use it too.
                    config.addDataSourceProperty("reWriteBatchedInserts", "true");
                }
                case mariadb -> {
                    config.setJdbcUrl(env("TRACESTORE_MARIADB_URL", "jdbc:mariadb://127.0.0.1:3306/test"));
                    config.setUsername(env("TRACESTORE_MARIADB_USER", "root"));
                    config.setPassword(env("TRACESTORE_MARIADB_PASSWORD", ""));
                }
            }
            config.setMaximumPoolSize(10);
            config.setMinimumIdle(1);
            return config;
        }
    }

    final Kind kind;
    final HikariDataSource pool;
    final JdbcTraceStorage storage;
    /** The adapter's statements and the dialect's bindings, for SQL the benchmarks write by hand. */
    final AdapterSql sql;
    final String prefix;
    private final Path dir;

    private BenchDatabase(Kind kind, boolean readBenchmark) {
        this.kind = kind;
        try {
            this.dir = Files.createTempDirectory("tracestore-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.prefix = "bench" + UUID.randomUUID().toString().replace("-", "").substring(0, 10) + "_";
        this.pool = new HikariDataSource(kind.config(dir, readBenchmark));
        this.storage = JdbcTraceStorage.builder(pool).tablePrefix(prefix).build();
        this.sql = AdapterSql.of(storage);
        storage.migrate();
    }

    /** Opens a fresh database (or fresh tables on a server) of the kind named by a {@code storage} parameter. */
    static BenchDatabase open(String storage) {
        return new BenchDatabase(Kind.valueOf(storage.toLowerCase(Locale.ROOT)), false);
    }

    /** As {@link #open}, for benchmarks that time repeated queries: no database serves a result from a cache. */
    static BenchDatabase openForReads(String storage) {
        return new BenchDatabase(Kind.valueOf(storage.toLowerCase(Locale.ROOT)), true);
    }

    /** The quoted name of one of the adapter's tables ({@code traces} or {@code messages}). */
    String table(String name) {
        return sql.table(name);
    }

    /** Runs statements in auto-commit mode (set-up work, outside the measured time). */
    void execute(String... sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            for (String each : sql) {
                s.execute(each);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("benchmark set-up failed: " + String.join("; ", sql), e);
        }
    }

    @Override
    public void close() {
        try {
            execute("DROP TABLE IF EXISTS " + table("messages"), "DROP TABLE IF EXISTS " + table("traces"),
                    "DROP TABLE IF EXISTS " + table("schema_history"));
        } finally {
            pool.close();
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }
}
