package dev.tracestore.sync;

import dev.tracestore.TraceStore;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.sqlite.SQLiteDataSource;

/**
 * A child JVM's main: syncs a directory into an SQLite file, once ({@code once}: prints the
 * messages sent, then exits) or following it until killed ({@code follow}).
 * Arguments: mode, SQLite file, directory, quiet period in ms.
 */
public final class SyncProcess {
    private SyncProcess() {}

    public static void main(String[] args) throws Exception {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + args[1] + "?foreign_keys=true&busy_timeout=30000&journal_mode=WAL&synchronous=NORMAL");
        JdbcTraceStorage storage = JdbcTraceStorage.create(dataSource);
        storage.migrate();
        TraceStore store = TraceStore.builder().storage(storage).build();
        SessionSync sync = SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofMillis(Long.parseLong(args[3])))
                .build();
        List<Path> paths = List.of(Path.of(args[2]));
        if (args[0].equals("once")) {
            SyncReport report = sync.sync(paths);
            System.out.println("messages " + report.messages() + " problems " + report.problems().size());
            System.out.println("heap-used-mb " + (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) / (1 << 20));
            return;
        }
        sync.follow(paths, Duration.ofMillis(20), report -> report.problems().forEach(System.err::println));
        Thread.currentThread().join();
    }
}
