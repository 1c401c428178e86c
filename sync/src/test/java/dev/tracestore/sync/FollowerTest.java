package dev.tracestore.sync;

import static dev.tracestore.sync.SessionSyncTest.prompt;
import static dev.tracestore.sync.SessionSyncTest.session;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Follow mode: files growing as an agent writes them, synced while they grow. */
class FollowerTest {
    @TempDir
    Path dir;
    CountingStorage storage;
    TraceStore store;
    final List<SyncReport> reports = new CopyOnWriteArrayList<>();

    @BeforeEach
    void setUp() {
        storage = new CountingStorage();
        store = TraceStore.builder().storage(storage).build();
    }

    /**
     * A quiet period of 2 s: longer than the writer ever leaves a file mid-reply, so no reply is
     * split (a line after the quiet period is a message of its own, by design), and short enough
     * for the last replies to go once the writer stops.
     */
    private SessionSync sync() {
        return SessionSync.builder(store).namespace("me").batchSize(8).quietPeriod(Duration.ofSeconds(2)).build();
    }

    private Optional<TraceDetail> trace(String session) {
        return store.findTrace("me", session);
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        for (int i = 0; i < 1000 && !condition.getAsBoolean(); i++) {
            Thread.sleep(10);
        }
        assertThat(condition.getAsBoolean()).as(what + " within 10 s").isTrue();
    }

    @Test
    @DisplayName("a writer appends to several files in random chunks, cutting lines and replies, while the follower runs: every count and total exact, with no recount")
    void followsGrowingFiles() throws Exception {
        Random random = new Random(11);
        Map<String, String> wholes = new LinkedHashMap<>();
        Map<String, Integer> written = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            wholes.put("s" + i, session("s" + i, 4 + random.nextInt(10)));
            written.put("s" + i, 0);
        }
        Files.createDirectories(dir.resolve("project"));
        Follower follower = sync().follow(List.of(dir), Duration.ofMillis(20), reports::add);
        try {
            List<String> open = new ArrayList<>(wholes.keySet());
            while (!open.isEmpty()) {
                String s = open.get(random.nextInt(open.size()));
                String whole = wholes.get(s);
                int at = written.get(s);
                int next = Math.min(whole.length(), at + 1 + random.nextInt(600));
                append(dir.resolve("project/" + s + ".jsonl"), whole.substring(at, next)); // new files appear as it runs
                written.put(s, next);
                if (next == whole.length()) {
                    open.remove(s);
                }
                Thread.sleep(random.nextInt(15));
            }
            for (String s : wholes.keySet()) {
                long turns = wholes.get(s).lines().filter(l -> l.contains("\"prompt ")).count();
                await(s + " complete", () -> trace(s).map(t -> t.messageCount() == turns * 4).orElse(false));
            }
        } finally {
            follower.close();
        }

        assertThat(storage.recounts).isZero();
        assertThat(storage.batches).isEqualTo(reports.stream().flatMap(r -> r.files().stream()).mapToInt(SyncedFile::batches).sum());
        assertThat(reports.stream().flatMap(r -> r.problems().stream())).isEmpty();
        for (String s : wholes.keySet()) {
            long turns = wholes.get(s).lines().filter(l -> l.contains("\"prompt ")).count();
            TraceDetail t = trace(s).orElseThrow();
            assertThat(store.listMessages(t.id(), null, 1000).items()).as(s).hasSize((int) (turns * 4));
            assertThat(t.toolCallCount()).as(s).isEqualTo(turns);
            assertThat(t.tokens().outputTokens()).as(s).isEqualTo(turns * (9 + 4));
        }
    }

    @Test
    @DisplayName("an appended prompt reaches the store while following; a malformed line is reported and the rest goes on")
    void appendedLineArrives_malformedLineReported() throws Exception {
        Path f = dir.resolve("s1.jsonl");
        append(f, prompt("s1", 1));
        Follower follower = sync().follow(List.of(dir), Duration.ofMillis(20), reports::add);
        try {
            await("the first prompt", () -> trace("s1").map(t -> t.messageCount() == 1).orElse(false));
            append(f, "{broken\n" + prompt("s1", 3));
            await("the prompt after the malformed line", () -> trace("s1").orElseThrow().messageCount() == 2);
        } finally {
            follower.close();
        }
        assertThat(reports.stream().flatMap(r -> r.problems().stream())).singleElement()
                .satisfies(p -> assertThat(p.line()).isEqualTo(2));
    }

    @Test
    @DisplayName("a follower started again resumes from the cursors in the store: nothing sent twice, no state on disk")
    void restartResumesFromTheStore() throws Exception {
        Path f = dir.resolve("s1.jsonl");
        String whole = session("s1", 6);
        append(f, whole.substring(0, whole.length() / 2));
        Follower first = sync().follow(List.of(dir), Duration.ofMillis(20), reports::add);
        try {
            await("a first batch", () -> trace("s1").isPresent());
        } finally {
            first.close();
        }
        append(f, whole.substring(whole.length() / 2));
        Follower second = sync().follow(List.of(dir), Duration.ofMillis(20), reports::add);
        try {
            await("the whole session", () -> trace("s1").orElseThrow().messageCount() == 24);
        } finally {
            second.close();
        }
        try (var listing = Files.list(dir)) {
            assertThat(listing).containsExactly(f);
        }
        assertThat(storage.recounts).isZero();
        assertThat(store.listMessages(trace("s1").orElseThrow().id(), null, 100).items()).hasSize(24);
    }
}
