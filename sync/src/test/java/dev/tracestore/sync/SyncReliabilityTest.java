package dev.tracestore.sync;

import static dev.tracestore.sync.SessionSyncTest.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

/**
 * A sync in a child JVM ({@link SyncProcess}) on the embedded default (an SQLite file): killed
 * while following growing files, and given a 1 GB file in a 256 MB heap. Runs in the
 * {@code reliability} profile; {@code -Dtracestore.sync.seed=N} replays a kill run.
 */
@Tag("reliability")
class SyncReliabilityTest {
    @TempDir
    Path dir;

    private Process child(List<String> jvm, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvm);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), SyncProcess.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder b = new ProcessBuilder(command).redirectError(dir.resolve("child-stderr.txt").toFile());
        b.environment().remove("JAVA_TOOL_OPTIONS");
        return b.start();
    }

    private TraceStore store(Path db) {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + db + "?busy_timeout=30000");
        return TraceStore.builder().storage(JdbcTraceStorage.create(dataSource)).build();
    }

    @Test
    @DisplayName("a follower killed at random moments while files grow, and started again: nothing missing, nothing sent twice, no recount")
    void killedFollower() throws Exception {
        long seed = Long.getLong("tracestore.sync.seed", System.nanoTime());
        System.out.println("SyncReliabilityTest.killedFollower seed " + seed);
        Random random = new Random(seed);
        Path sessions = Files.createDirectories(dir.resolve("sessions"));
        Path db = dir.resolve("sync.db");
        Map<String, String> wholes = new LinkedHashMap<>();
        Map<String, Integer> written = new LinkedHashMap<>();
        for (int i = 0; i < 4; i++) {
            wholes.put("s" + i, session("s" + i, 40 + random.nextInt(40)));
            written.put("s" + i, 0);
        }
        List<String> open = new ArrayList<>(wholes.keySet());
        int kills = 0;
        while (!open.isEmpty()) {
            // A quiet period longer than the run: a reply is never split by a writer that paused it (that is the
            // documented rule, not what this test is about); the last pass, quiet 0, releases what is held.
            Process follower = child(List.of("-Xmx128m"), "follow", db.toString(), sessions.toString(), "600000");
            long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(300 + random.nextInt(1200));
            while (System.nanoTime() < until && !open.isEmpty()) {
                String s = open.get(random.nextInt(open.size()));
                int at = written.get(s);
                int next = Math.min(wholes.get(s).length(), at + 1 + random.nextInt(400));
                Files.writeString(sessions.resolve(s + ".jsonl"), wholes.get(s).substring(at, next), StandardCharsets.UTF_8,
                        StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                written.put(s, next);
                if (next == wholes.get(s).length()) {
                    open.remove(s);
                }
                Thread.sleep(random.nextInt(20));
            }
            follower.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no last batch
            kills++;
        }
        Process last = child(List.of("-Xmx128m"), "once", db.toString(), sessions.toString(), "0");
        assertThat(last.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(last.exitValue()).as(Files.readString(dir.resolve("child-stderr.txt"))).isZero();

        System.out.println("SyncReliabilityTest.killedFollower: " + kills + " kills");
        assertThat(kills).isGreaterThanOrEqualTo(3);
        TraceStore store = store(db);
        for (String s : wholes.keySet()) {
            long turns = wholes.get(s).lines().filter(l -> l.contains("\"prompt ")).count();
            TraceDetail t = store.findTrace("me", s).orElseThrow();
            assertThat(t.messageCount()).as(s + " cached count, no recount").isEqualTo(turns * 4);
            assertThat(store.listMessages(t.id(), null, 1000).items()).as(s + " rows").hasSize((int) (turns * 4));
            assertThat(t.toolCallCount()).as(s).isEqualTo(turns);
            assertThat(t.tokens().outputTokens()).as(s).isEqualTo(turns * (9 + 4));
        }
    }

    /**
     * One session file of a little over 1 GB, most of it the large {@code progress} records and
     * tool results real transcripts carry, synced by a JVM with a 256 MB heap into SQLite.
     */
    @Test
    @DisplayName("a 1 GB session file syncs in a JVM with -Xmx256m")
    void oneGigabyteIn256Megabytes() throws Exception {
        Path sessions = Files.createDirectories(dir.resolve("big"));
        Path file = sessions.resolve("big.jsonl");
        String result = "r".repeat(20_000);
        String progress = "{\"type\":\"progress\",\"sessionId\":\"big\",\"data\":\"" + "p".repeat(80_000) + "\"}\n";
        long turns = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            while (Files.size(file) < (1L << 30)) {
                for (int i = 0; i < 100; i++, turns++) {
                    w.write(SessionSyncTest.prompt("big", (int) turns * 3));
                    w.write(SessionSyncTest.replyLine("big", "msg-" + turns, (int) turns * 3 + 1,
                            SessionSyncTest.toolUse("tool-" + turns), 5));
                    w.write(SessionSyncTest.toolResult("big", (int) turns * 3 + 2, "tool-" + turns).replace("ok ", result));
                    w.write(progress);
                }
                w.flush();
            }
        }
        Process child = child(List.of("-Xmx256m"), "once", dir.resolve("big.db").toString(), sessions.toString(), "0");
        assertThat(child.waitFor(10, TimeUnit.MINUTES)).isTrue();
        String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.exitValue()).as(Files.readString(dir.resolve("child-stderr.txt"))).isZero();

        System.out.printf("SyncReliabilityTest.oneGigabyteIn256Megabytes: %,d bytes, %,d turns; child: %s%n",
                Files.size(file), turns, out.replace('\n', ' '));
        assertThat(Files.size(file)).isGreaterThanOrEqualTo(1L << 30);
        assertThat(out).startsWith("messages " + turns * 3 + " problems 0");
        TraceDetail t = store(dir.resolve("big.db")).findTrace("me", "big").orElseThrow();
        assertThat(t.messageCount()).isEqualTo(turns * 3);
    }
}
