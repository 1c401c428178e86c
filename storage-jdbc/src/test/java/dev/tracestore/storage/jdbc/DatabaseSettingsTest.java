package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The storage inspects the database's settings when it is built: what a killed process would
 * lose under them is a WARN line naming the setting, and a setting under which a batch would not
 * be atomic is refused.
 */
class DatabaseSettingsTest {

    private static HikariDataSource sqlite(String settings) {
        HikariConfig config = Setup.SQLITE_FILE.config("settings" + UUID.randomUUID().toString().substring(0, 8));
        config.setJdbcUrl(config.getJdbcUrl().replaceFirst("\\?.*", "?" + settings));
        config.setMaximumPoolSize(1);
        return new HikariDataSource(config);
    }

    private static Dialect.Safety inspect(HikariDataSource pool, Dialect dialect) throws Exception {
        try (Connection c = pool.getConnection()) {
            return dialect.inspect(c);
        }
    }

    @Test
    @DisplayName("finds nothing unsafe in SQLite as the embedded default configures it")
    void sqliteDefault_isSafe() throws Exception {
        try (HikariDataSource pool = sqlite("foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL")) {
            assertThat(inspect(pool, Dialect.sqlite())).isEqualTo(Dialect.Safety.SAFE);
        }
    }

    @Test
    @DisplayName("warns about SQLite without foreign_keys, with busy_timeout 0, and with synchronous=OFF, naming each")
    void sqliteUnsafeSettings_areWarnings() throws Exception {
        try (HikariDataSource pool = sqlite("foreign_keys=false&busy_timeout=0&journal_mode=WAL&synchronous=OFF")) {
            Dialect.Safety safety = inspect(pool, Dialect.sqlite());
            assertThat(safety.refusals()).isEmpty();
            assertThat(safety.warnings()).hasSize(3);
            assertThat(safety.warnings().get(0)).startsWith("foreign_keys is off");
            assertThat(safety.warnings().get(1)).startsWith("busy_timeout is 0");
            assertThat(safety.warnings().get(2)).startsWith("synchronous=OFF");
        }
    }

    @Test
    @DisplayName("refuses SQLite with journal_mode=MEMORY, under which a killed process can corrupt the database")
    void sqliteWithoutARealJournal_isRefused() {
        try (HikariDataSource pool = sqlite("foreign_keys=true&busy_timeout=30000&journal_mode=MEMORY")) {
            assertThatThrownBy(() -> JdbcTraceStorage.create(pool)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("dataSource: SQLite journal_mode=memory: a process killed during a transaction can"
                            + " corrupt the database and store part of a batch; use journal_mode=WAL");
        }
    }

    @Test
    @DisplayName("warns about every H2 file database, naming its write delay, and about no H2 database in memory")
    void h2File_isAWarning_h2Memory_isNot() throws Exception {
        String name = "settings" + UUID.randomUUID().toString().substring(0, 8);
        try (HikariDataSource pool = new HikariDataSource(Setup.H2_FILE.config(name))) {
            assertThat(inspect(pool, Dialect.h2()).warnings()).singleElement().asString()
                    .startsWith("an H2 file database (WRITE_DELAY 500 ms) is not crash-safe");
        }
        HikariConfig noDelay = Setup.H2_FILE.config(name + "n");
        noDelay.setJdbcUrl(noDelay.getJdbcUrl() + ";WRITE_DELAY=0");
        try (HikariDataSource pool = new HikariDataSource(noDelay)) {
            assertThat(inspect(pool, Dialect.h2()).warnings()).singleElement().asString()
                    .startsWith("an H2 file database (WRITE_DELAY 0 ms) is not crash-safe");
        }
        try (HikariDataSource pool = new HikariDataSource(Setup.H2_MEMORY.config(name))) {
            assertThat(inspect(pool, Dialect.h2())).isEqualTo(Dialect.Safety.SAFE);
        }
    }

    @Test
    @DisplayName("logs each warning once, at WARN, when the storage is built")
    void build_logsTheWarnings() {
        String name = "settings" + UUID.randomUUID().toString().substring(0, 8);
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        try (HikariDataSource pool = new HikariDataSource(Setup.H2_FILE.config(name))) {
            System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
            JdbcTraceStorage.create(pool);
        } finally {
            System.setErr(err);
        }
        assertThat(captured.toString(StandardCharsets.UTF_8).lines()
                .filter(line -> line.contains("WARN") && line.contains("JDBC storage (h2): an H2 file database")))
                .hasSize(1);
    }
}
