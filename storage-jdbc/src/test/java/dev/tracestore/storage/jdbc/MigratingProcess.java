package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import java.util.List;

/**
 * The child JVM of {@link MigrationTest}: migrates one schema, the shipped versions and a
 * fixture's, once it reads a line on stdin (so that every migrator starts together), then prints
 * {@code applied <n>}. Arguments: JDBC URL, user (or "-"), password, table prefix, fixture directory.
 */
final class MigratingProcess {
    private MigratingProcess() {}

    public static void main(String[] args) throws Exception {
        try (HikariDataSource pool = new HikariDataSource(ChildJvm.poolConfig(args))) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(args[3])
                    .extraMigrations(List.of(args[4])).build();
            System.out.println("ready");
            System.out.flush();
            System.in.read();
            System.out.println("applied " + storage.migrate());
        }
    }
}
