package dev.tracestore.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The database the demo and the sync command use unless told another: the embedded default, and how to open any. */
final class EmbeddedDefault {
    /**
     * An SQLite file in {@code ./data/}, with the settings under which a killed process loses no
     * acknowledged batch ({@code KillDuringIngestTest}).
     */
    static final String URL =
            "jdbc:sqlite:./data/tracestore.db?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL";

    private EmbeddedDefault() {}

    /** A pool of at most four connections to {@code jdbcUrl}, creating an SQLite file's directory first. */
    static HikariDataSource open(String jdbcUrl, String poolName) {
        createDirectoryOf(jdbcUrl);
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);
        config.setMaximumPoolSize(4);
        config.setPoolName(poolName);
        return new HikariDataSource(config);
    }

    /** SQLite creates its file but not the directory it goes in; H2 and the servers need nothing. */
    private static void createDirectoryOf(String jdbcUrl) {
        if (!jdbcUrl.startsWith("jdbc:sqlite:") || jdbcUrl.startsWith("jdbc:sqlite::memory:")) {
            return;
        }
        String file = jdbcUrl.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*", "");
        Path parent = Path.of(file.startsWith("file:") ? file.substring("file:".length()) : file).toAbsolutePath()
                .getParent();
        try {
            Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the database's directory " + parent, e);
        }
    }
}
