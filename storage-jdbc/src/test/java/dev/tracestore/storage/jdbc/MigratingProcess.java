package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.util.List;

/**
 * The child JVM of {@link MigrationTest}: migrates one schema, the shipped versions and a
 * fixture's, once it reads a line on stdin (so that every migrator starts together), then prints
 * {@code applied <n>}. Arguments: JDBC URL, user (or "-"), password, table prefix, fixture
 * directory, and optionally an SQL statement each connection runs first.
 */
final class MigratingProcess {
    private MigratingProcess() {}

    public static void main(String[] args) throws Exception {
        HikariConfig config = ChildJvm.poolConfig(args);
        if (args.length > 5) {
            config.setConnectionInitSql(args[5]);
        }
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(args[3])
                    .extraMigrations(List.of(args[4])).build();
            System.out.println("ready");
            System.out.flush();
            System.in.read();
            System.out.println("applied " + storage.migrate());
        }
    }
}
