package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Finding a trace by its share token costs no scan: on a table of 1,500 shared traces, each
 * database's own plan of the adapter's lookup statement goes through the schema's unique index
 * on {@code share_key}, one row, not through the table.
 */
class ShareKeyPlanTest {

    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "SQLITE_FILE", "POSTGRESQL", "MARIADB"})
    void theLookupByShareKey_usesTheUniqueIndex(Setup setup) throws SQLException {
        if (setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        String name = "sk" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        String prefix = name + "_";
        try (HikariDataSource pool = new HikariDataSource(setup.config(name))) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(prefix).build();
            storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            String key = null;
            for (int i = 0; i < 1500; i++) {
                long id = store.upsertTrace(TraceInput.of("ns", "s-" + i).withVisibility(Visibility.UNLISTED)).id();
                key = store.shareToken(id).substring(0, 16);
            }
            Dialect dialect = storage.dialect();
            String lookup = new JdbcStatements(dialect, prefix).traceByShareKey.replace("?", "'" + key + "'");
            String index = (prefix + "traces_share_key").toLowerCase(Locale.ROOT);
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                try {
                    switch (setup) {
                        case POSTGRESQL -> s.execute("ANALYZE " + dialect.quote(prefix + "traces"));
                        case MARIADB -> s.execute("ANALYZE TABLE " + dialect.quote(prefix + "traces"));
                        case SQLITE_FILE -> s.execute("ANALYZE");
                        default -> { }
                    }
                    String explain = switch (setup) {
                        case POSTGRESQL -> "EXPLAIN (COSTS OFF) ";
                        case SQLITE_FILE -> "EXPLAIN QUERY PLAN ";
                        default -> "EXPLAIN ";
                    };
                    String plan = String.join("\n", rows(s, explain + lookup)).toLowerCase(Locale.ROOT);
                    assertThat(plan).as(setup + " plan:\n" + plan).contains(index);
                    switch (setup) {
                        case POSTGRESQL -> assertThat(plan).contains("index scan using").doesNotContain("seq scan");
                        case SQLITE_FILE -> assertThat(plan).contains("search").doesNotContain("scan " + prefix);
                        case MARIADB -> assertThat(plan).containsAnyOf("const", "ref").doesNotContain("\tall\t");
                        default -> assertThat(plan).contains("share_key = ");
                    }
                } finally { // also after a failed assertion: the servers are shared
                    for (String table : List.of("messages", "traces", "schema_history", "schema_lock")) {
                        s.execute("DROP TABLE IF EXISTS " + dialect.quote(prefix + table));
                    }
                }
            }
        }
    }

    /** Every row of the query, its columns joined by tabs. */
    private static List<String> rows(Statement s, String query) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(query)) {
            int columns = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder line = new StringBuilder();
                for (int i = 1; i <= columns; i++) {
                    line.append(i > 1 ? "\t" : "").append(rs.getString(i));
                }
                lines.add(line.toString());
            }
        }
        return lines;
    }
}
