package dev.tracestore.benchmarks;

import dev.tracestore.TraceStore;
import dev.tracestore.sync.Follower;
import dev.tracestore.sync.SessionSync;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * What following idle session files costs: {@code files} generated Claude Code sessions (50
 * turns each) are synced into the embedded default (SQLite), then followed, unchanged, for
 * {@code seconds} with the default poll interval (500 ms). Prints the follower thread's CPU time
 * and the whole JVM's over that time, as a share of one core. A measured main, not JMH: the
 * figure is a cost over wall-clock time, not the speed of an operation.
 *
 * <p>Run from the repository root (about a minute; arguments: files, seconds):
 * <pre>
 * mvn -B -q -pl benchmarks -am package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp "$(cat benchmarks/target/cp.txt):benchmarks/target/classes" dev.tracestore.benchmarks.FollowIdleCost 300 30
 * </pre>
 */
public final class FollowIdleCost {
    private FollowIdleCost() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        int files = args.length > 0 ? Integer.parseInt(args[0]) : 300;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        try (BenchDatabase db = BenchDatabase.open("sqlite")) {
            TraceStore store = TraceStore.builder().storage(db.storage).build();
            Path dir = Files.createTempDirectory("follow-idle");
            for (int i = 0; i < files; i++) {
                Path project = Files.createDirectories(dir.resolve("project-" + i % 20));
                SyncBenchmark.write(project.resolve("session-" + i + ".jsonl"), 50, "session-" + i);
            }
            SessionSync sync = SessionSync.builder(store).quietPeriod(Duration.ZERO).build();
            long messages = sync.sync(List.of(dir)).messages();
            Follower follower = sync.follow(List.of(dir), Duration.ofMillis(500), report -> {});
            Thread.sleep(2_000); // its first pass, over every file, is behind it
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long thread = followerThread(threads);
            com.sun.management.OperatingSystemMXBean os =
                    (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            long threadStart = threads.getThreadCpuTime(thread);
            long processStart = os.getProcessCpuTime();
            long wallStart = System.nanoTime();
            Thread.sleep(seconds * 1000L);
            double wall = System.nanoTime() - wallStart;
            double threadShare = (threads.getThreadCpuTime(thread) - threadStart) / wall;
            double processShare = (os.getProcessCpuTime() - processStart) / wall;
            follower.close();
            System.out.printf(Locale.ROOT, "FOLLOW-IDLE %d files (%d messages synced first), %d s idle, poll 500 ms:"
                    + " follower thread %.2f %% of one core, whole JVM %.2f %%%n", files, messages, seconds,
                    threadShare * 100, processShare * 100);
        }
    }

    private static long followerThread(ThreadMXBean threads) {
        for (ThreadInfo t : threads.dumpAllThreads(false, false)) {
            if (t.getThreadName().equals("tracestore-sync-follower")) {
                return t.getThreadId();
            }
        }
        throw new IllegalStateException("no follower thread");
    }
}
