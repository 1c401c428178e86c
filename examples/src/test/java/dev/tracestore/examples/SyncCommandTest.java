package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.examples.importer.BundledSamples;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sync command, run as {@code main} runs it, on an SQLite file of its own. */
class SyncCommandTest {
    @TempDir
    Path dir;

    private record Run(int status, String out, String err) {
    }

    private Run run(CountDownLatch stop, String... args) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = SyncCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), false, stop);
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private Run run(String... args) throws InterruptedException {
        return run(new CountDownLatch(0), args);
    }

    private String db() {
        return EmbeddedDefault.URL.replace("./data/", dir.resolve("data").toAbsolutePath() + "/");
    }

    @Test
    void syncsOnce_thenFindsNothingNew_summarisingPerAgent() throws Exception {
        Path samples = BundledSamples.extractTo(dir.resolve("samples"));

        Run first = run("--db", db(), "--quiet-period", "0", samples.toString());
        Run second = run("--db", db(), "--quiet-period", "0", samples.toString());

        assertThat(first.status()).isEqualTo(SyncCommand.OK);
        assertThat(first.out()).contains("claude-code 2 session files, 2 with new messages, 35 new messages")
                .contains("codex       2 session files, 2 with new messages, 16 new messages");
        assertThat(first.err()).isEmpty();
        assertThat(second.out()).contains("claude-code 2 session files, 0 with new messages, 0 new messages");
    }

    @Test
    void aFreshFileHoldsBackItsLastReply_andSaysSo() throws Exception {
        Path samples = BundledSamples.extractTo(dir.resolve("samples"));

        Run live = run("--db", db(), samples.resolve("claude-code").toString()); // just written: not quiet for 5 s

        assertThat(live.out()).contains("2 files still being written: the reply at their end waits for the quiet period");
    }

    @Test
    void exitStatuses() throws Exception {
        assertThat(run("--frobnicate").status()).isEqualTo(SyncCommand.USAGE_ERROR);
        assertThat(run("--poll", "fast", "x").err()).contains("--poll: must be a whole number from 10 to 3600000; got fast");
        Run missing = run("--db", db(), dir.resolve("nowhere").toString());
        assertThat(missing.status()).isEqualTo(SyncCommand.PROBLEMS);
        assertThat(missing.err()).contains("nowhere: no such file or directory");
        assertThat(missing.out()).contains("No session files synced.").contains("1 problem (above)");
        Run noDatabase = run("--db", "jdbc:postgresql://127.0.0.1:1/none?connectTimeout=1", dir.toString());
        assertThat(noDatabase.status()).isEqualTo(SyncCommand.STORAGE_ERROR);
        assertThat(noDatabase.err()).startsWith("tracestore-sync: the database failed: ");
        assertThat(run("--help").out()).startsWith("Usage: tracestore-sync");
    }

    @Test
    void follows_untilStopped() throws Exception {
        Path sessions = Files.createDirectories(dir.resolve("sessions"));
        Path file = sessions.resolve("s-1.jsonl");
        Files.writeString(file, prompt(1));
        CountDownLatch stop = new CountDownLatch(1);
        CompletableFuture<Run> following = CompletableFuture.supplyAsync(() -> {
            try {
                return run(stop, "--db", db(), "--follow", "--poll", "20", sessions.toString());
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(500);
        Files.writeString(file, prompt(2), StandardOpenOption.APPEND);
        Thread.sleep(500);
        stop.countDown();

        Run run = following.get(30, TimeUnit.SECONDS);
        assertThat(run.status()).isEqualTo(SyncCommand.OK);
        assertThat(run.out()).startsWith("Following [" + sessions + "]").containsPattern("claude-code +\\+1 messages in 1 batch  s-1.jsonl")
                .contains("claude-code 1 session file, 1 with new messages, 2 new messages");
    }

    private static String prompt(int n) {
        return "{\"type\":\"user\",\"sessionId\":\"s-1\",\"uuid\":\"u-" + n + "\",\"timestamp\":\"2026-01-01T00:00:0" + n
                + "Z\",\"message\":{\"role\":\"user\",\"content\":\"prompt " + n + "\"}}\n";
    }
}
