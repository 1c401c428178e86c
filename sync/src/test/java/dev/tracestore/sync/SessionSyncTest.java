package dev.tracestore.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exactly once: what a sync sends, holds back, refuses and reports, counted at the storage. */
class SessionSyncTest {
    /** A minute from now: every file the test writes is quiet by then. */
    private static final Clock LATER = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));

    @TempDir
    Path dir;
    CountingStorage storage;
    TraceStore store;

    @BeforeEach
    void setUp() {
        storage = new CountingStorage();
        store = TraceStore.builder().storage(storage).maxTextLength(10_000).build();
    }

    /** A sync that sees every file as quiet (finished). */
    private SessionSync finished() {
        return SessionSync.builder(store).namespace("me").batchSize(4).quietPeriod(Duration.ofSeconds(5)).clock(LATER).build();
    }

    /** A sync that sees every file as live: its last reply may still be growing. */
    private SessionSync live() {
        return SessionSync.builder(store).namespace("me").batchSize(4).quietPeriod(Duration.ofHours(1)).build();
    }

    private TraceDetail trace(String session) {
        return store.findTrace("me", session).orElseThrow();
    }

    private List<Message> rows(String session) {
        return store.listMessages(trace(session).id(), null, 1000).items();
    }

    private Path file(String session) {
        return dir.resolve(session + ".jsonl");
    }

    private static void append(Path file, String text) throws IOException {
        Files.writeString(file, text, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    // A Claude Code transcript, line by line.

    static String prompt(String session, int n) {
        return "{\"type\":\"user\",\"sessionId\":\"" + session + "\",\"uuid\":\"u-" + n + "\",\"timestamp\":"
                + "\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"user\",\"content\":\"prompt " + n + "\"}}\n";
    }

    static String replyLine(String session, String replyId, int n, String block, int outputTokens) {
        return "{\"type\":\"assistant\",\"sessionId\":\"" + session + "\",\"uuid\":\"a-" + n + "\",\"timestamp\":"
                + "\"2026-01-01T00:00:01Z\",\"message\":{\"id\":\"" + replyId + "\",\"role\":\"assistant\",\"model\":\"m\","
                + "\"content\":[" + block + "],\"usage\":{\"input_tokens\":3,\"output_tokens\":" + outputTokens + "}}}\n";
    }

    static String text(String t) {
        return "{\"type\":\"text\",\"text\":\"" + t + "\"}";
    }

    static String toolUse(String id) {
        return "{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"Bash\",\"input\":{}}";
    }

    static String toolResult(String session, int n, String toolId) {
        return "{\"type\":\"user\",\"sessionId\":\"" + session + "\",\"uuid\":\"r-" + n + "\",\"timestamp\":"
                + "\"2026-01-01T00:00:02Z\",\"message\":{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\","
                + "\"tool_use_id\":\"" + toolId + "\",\"content\":\"ok " + n + "\"}]}}\n";
    }

    /** A session of {@code turns} turns: a prompt, a reply split over lines with a tool call, its result, a closing reply. */
    static String session(String session, int turns) {
        StringBuilder s = new StringBuilder();
        int n = 0;
        for (int t = 0; t < turns; t++) {
            s.append(prompt(session, ++n));
            s.append(replyLine(session, "msg-" + t + "a", ++n, text("thinking " + t), 2));
            s.append(replyLine(session, "msg-" + t + "a", ++n, toolUse("tool-" + t), 9));
            s.append(toolResult(session, ++n, "tool-" + t));
            s.append(replyLine(session, "msg-" + t + "b", ++n, text("done " + t), 4));
        }
        return s.toString();
    }

    @Test
    @DisplayName("a sync over unchanged files writes nothing")
    void unchanged_writesNothing() throws IOException {
        append(file("s1"), session("s1", 5));
        append(file("s2"), session("s2", 2));
        finished().sync(List.of(dir));
        int writes = storage.writes();

        SyncReport again = finished().sync(List.of(dir));

        assertThat(storage.writes()).isEqualTo(writes);
        assertThat(again.files()).hasSize(2).allSatisfy(f -> {
            assertThat(f.messages()).isZero();
            assertThat(f.complete()).isTrue();
        });
        assertThat(trace("s1").messageCount()).isEqualTo(5 * 4).isEqualTo(rows("s1").size());
    }

    @Test
    @DisplayName("a file growing in random chunks, cut mid-line and mid-reply: each sync sends only the new, and the count is exact without a recount")
    void grownInChunks_sendsOnlyTheNew() throws IOException {
        String whole = session("s1", 30);
        Random random = new Random(42);
        Path f = file("s1");
        int syncs = 0;
        int batches = 0;
        for (int at = 0; at < whole.length(); ) {
            int next = Math.min(whole.length(), at + 1 + random.nextInt(700));
            append(f, whole.substring(at, next));
            at = next;
            batches += live().sync(List.of(f)).files().stream().mapToInt(SyncedFile::batches).sum();
            syncs++;
            assertThat(trace("s1").messageCount()).isEqualTo(rows("s1").size());
        }
        SyncReport last = finished().sync(List.of(f));
        batches += last.files().get(0).batches();

        assertThat(syncs).isGreaterThan(50);
        assertThat(last.files().get(0).complete()).isTrue();
        assertThat(storage.recounts).isZero();
        assertThat(storage.batches).isEqualTo(batches);  // one write to the trace row per batch sent
        // Exactly what one sync of the finished file stores, into a store of its own:
        TraceStore fresh = TraceStore.builder().storage(new CountingStorage()).build();
        SessionSync.builder(fresh).namespace("me").quietPeriod(Duration.ZERO).build().sync(List.of(f));
        List<Message> expected = fresh.listMessages(fresh.findTrace("me", "s1").orElseThrow().id(), null, 1000).items();
        assertThat(expected).hasSize(30 * 4);
        assertThat(rows("s1")).usingRecursiveFieldByFieldElementComparatorIgnoringFields("createdAt").isEqualTo(expected);
        assertThat(trace("s1").messageCount()).isEqualTo(120);
        assertThat(trace("s1").tokens()).isEqualTo(fresh.findTrace("me", "s1").orElseThrow().tokens());
        assertThat(trace("s1").toolCallCount()).isEqualTo(30);
    }

    @Nested
    @DisplayName("The last reply of a live file")
    class HeldBack {

        @Test
        @DisplayName("is held until a line of another reply follows, then sent once, with all its lines")
        void heldUntilAnotherId() throws IOException {
            Path f = file("s1");
            append(f, prompt("s1", 1) + replyLine("s1", "m1", 2, text("part one"), 2));

            SyncedFile first = live().sync(List.of(f)).files().get(0);
            assertThat(first.messages()).isEqualTo(1);
            assertThat(first.complete()).isFalse();

            append(f, toolResult("s1", 3, "t") + replyLine("s1", "m1", 4, toolUse("t"), 7));
            assertThat(live().sync(List.of(f)).files().get(0).messages()).isZero();

            append(f, replyLine("s1", "m2", 5, text("next reply"), 1));
            assertThat(live().sync(List.of(f)).files().get(0).messages()).isEqualTo(2); // m1 and the tool result

            assertThat(rows("s1")).extracting(Message::externalId, Message::role)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple("u-1", Role.USER),
                            org.assertj.core.groups.Tuple.tuple("a-2", Role.ASSISTANT),
                            org.assertj.core.groups.Tuple.tuple("r-3", Role.TOOL));
            Message reply = rows("s1").get(1);
            assertThat(reply.partsJson()).contains("part one").contains("tool_use");
            assertThat(reply.toolCalls()).isEqualTo(1);
            assertThat(reply.usage().outputTokens()).isEqualTo(7);
            assertThat(trace("s1").messageCount()).isEqualTo(3);
        }

        @Test
        @DisplayName("is sent once the file has been quiet for the quiet period")
        void sentWhenQuiet() throws IOException {
            Path f = file("s1");
            append(f, prompt("s1", 1) + replyLine("s1", "m1", 2, text("all of it"), 2));
            live().sync(List.of(f));

            SyncedFile quiet = finished().sync(List.of(f)).files().get(0);

            assertThat(quiet.messages()).isEqualTo(1);
            assertThat(quiet.complete()).isTrue();
            assertThat(trace("s1").messageCount()).isEqualTo(2).isEqualTo(rows("s1").size());
        }
    }

    @Test
    @DisplayName("a batch whose acknowledgement was lost is retried, refused by the cursor, and counted once")
    void lostAcknowledgement_countedOnce() throws IOException {
        append(file("s1"), session("s1", 3));
        storage.acknowledgementsToLose = 2;

        SyncReport report = finished().sync(List.of(file("s1")));

        assertThat(report.problems()).isEmpty();
        assertThat(report.files().get(0).messages()).isEqualTo(12);
        assertThat(trace("s1").messageCount()).isEqualTo(12).isEqualTo(rows("s1").size());
        assertThat(trace("s1").toolCallCount()).isEqualTo(3);
    }

    @Test
    @DisplayName("a replaced or a truncated file: the trace shows what the file now says, keeps its id, and counts exactly")
    void replacedOrTruncated_resynced() throws IOException {
        Path f = file("s1");
        append(f, session("s1", 3));
        finished().sync(List.of(f));
        long id = trace("s1").id();

        Files.writeString(f, session("s1", 3).replace("prompt 1", "prompt X"));
        SyncedFile replaced = finished().sync(List.of(f)).files().get(0);
        assertThat(replaced.resynced()).isTrue();
        assertThat(rows("s1")).extracting(Message::text).contains("prompt X").doesNotContain("prompt 1");
        assertThat(trace("s1").messageCount()).isEqualTo(12).isEqualTo(rows("s1").size());

        Files.writeString(f, session("s1", 1));
        SyncReport truncated = finished().sync(List.of(f));
        assertThat(truncated.problems()).isEmpty();
        assertThat(truncated.files().get(0).resynced()).isTrue();
        assertThat(trace("s1").id()).isEqualTo(id);
        assertThat(trace("s1").messageCount()).isEqualTo(4).isEqualTo(rows("s1").size());
        assertThat(trace("s1").toolCallCount()).isEqualTo(1);
        assertThat(storage.recounts).isZero();

        int writes = storage.writes();
        assertThat(finished().sync(List.of(f)).files().get(0).resynced()).isFalse();
        assertThat(storage.writes()).as("then unchanged: nothing written").isEqualTo(writes);
    }

    @Test
    @DisplayName("a file that disappeared leaves its trace as it was")
    void disappeared_leftAlone() throws IOException {
        append(file("s1"), session("s1", 2));
        append(file("s2"), session("s2", 1));
        finished().sync(List.of(dir));
        Files.delete(file("s1"));

        SyncReport report = finished().sync(List.of(dir));

        assertThat(report.files()).extracting(SyncedFile::sessionId).containsExactly("s2");
        assertThat(trace("s1").messageCount()).isEqualTo(8).isEqualTo(rows("s1").size());
    }

    @Test
    @DisplayName("a trace stored before without a cursor is adopted: sent once more, recounted once, then synced by cursor")
    void adoptsATraceWithoutCursor() throws IOException {
        append(file("s1"), session("s1", 2));
        long id = store.upsertTrace(TraceInput.of("me", "s1")).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("u-1", 1, Role.USER, "prompt 1")));

        finished().sync(List.of(file("s1")));
        assertThat(storage.recounts).isEqualTo(1);
        assertThat(trace("s1").messageCount()).isEqualTo(8).isEqualTo(rows("s1").size());

        int writes = storage.writes();
        finished().sync(List.of(file("s1")));
        assertThat(storage.writes()).isEqualTo(writes);
    }

    @Test
    @DisplayName("a file whose cursor another sync moves meanwhile is reported and not sent twice")
    void anotherSyncMeanwhile() throws IOException {
        Path f = file("s1");
        append(f, session("s1", 1));
        finished().sync(List.of(f));
        append(f, session("s1", 2).substring(session("s1", 1).length()));
        long id = trace("s1").id();
        String cursor = trace("s1").ingestCursor();
        storage.beforeNextBatch = () -> store.appendMessages(id, List.of(), cursor, cursor + "elsewhere");

        SyncReport report = finished().sync(List.of(f));

        assertThat(report.problems()).singleElement().extracting(SyncProblem::reason).asString()
                .startsWith("another sync moved trace " + id + "'s ingest cursor meanwhile");
        assertThat(report.files().get(0).complete()).isFalse();
        assertThat(trace("s1").messageCount()).isEqualTo(4).isEqualTo(rows("s1").size());
    }

    @Nested
    @DisplayName("Bad input is reported with its file and line, and the rest synced")
    class BadInput {

        @Test
        @DisplayName("malformed, non-UTF-8, over-long and unknown lines, and a truncated last line")
        void badLines() throws IOException {
            Path f = file("s1");
            append(f, prompt("s1", 1) + "{not json\n" + prompt("s1", 3) + "{\"type\":\"hologram\",\"sessionId\":\"s1\"}\n");
            Files.write(f, new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xff, '"', '}', '\n'}, StandardOpenOption.APPEND);
            append(f, prompt("s1", 6).replace("prompt 6", "x".repeat(2000)) + prompt("s1", 7) + "{\"type\":\"user\",\"sessio");
            SessionSync sync = SessionSync.builder(store).namespace("me").maxLineBytes(1024).quietPeriod(Duration.ZERO).build();

            SyncReport report = sync.sync(List.of(f));

            Map<Long, String> byLine = report.problems().stream().collect(Collectors.toMap(SyncProblem::line, SyncProblem::reason));
            assertThat(byLine).containsOnlyKeys(2L, 4L, 5L, 6L, 8L);
            assertThat(byLine.get(2L)).startsWith("malformed JSON");
            assertThat(byLine.get(4L)).contains("unknown record type \"hologram\"");
            assertThat(byLine.get(5L)).startsWith("malformed JSON or not UTF-8");
            assertThat(byLine.get(6L)).startsWith("longer than 1024 bytes");
            assertThat(byLine.get(8L)).startsWith("truncated last line");
            assertThat(report.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(f));
            assertThat(rows("s1")).extracting(Message::text).containsExactly("prompt 1", "prompt 3", "prompt 7");
        }

        @Test
        @DisplayName("files that are not sessions, an empty directory and a missing path")
        void badFiles() throws IOException {
            Path bad = Files.createDirectories(dir.resolve("bad"));
            Path text = bad.resolve("notes.jsonl");
            Files.writeString(text, "just some notes\nnot json at all\n");
            Path binary = bad.resolve("blob.jsonl");
            Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
            Path empty = bad.resolve("empty.jsonl");
            Files.writeString(empty, "");
            Path other = bad.resolve("other.jsonl");
            Files.writeString(other, "{\"hello\":\"world\"}\n");
            Path good = bad.resolve("s1.jsonl");
            append(good, prompt("s1", 1));
            Path emptyDir = Files.createDirectories(dir.resolve("nothing-here"));
            Path missing = dir.resolve("nowhere");

            SyncReport report = finished().sync(List.of(bad, emptyDir, missing));

            Map<Path, List<String>> byFile = report.problems().stream().collect(Collectors.groupingBy(SyncProblem::file,
                    Collectors.mapping(SyncProblem::reason, Collectors.toList())));
            assertThat(byFile.get(text)).containsExactly("no line is a JSON object: not a session file");
            assertThat(byFile.get(binary)).containsExactly("no line is a JSON object: not a session file");
            assertThat(byFile.get(empty)).containsExactly("no line is a JSON object: not a session file");
            assertThat(byFile.get(other)).containsExactly("not a session of any known format (claude-code, codex, gemini-cli): not synced");
            assertThat(byFile.get(emptyDir)).containsExactly("no session files under this directory");
            assertThat(byFile.get(missing)).containsExactly("no such file or directory");
            assertThat(byFile).doesNotContainKey(good);
            assertThat(report.files()).singleElement().extracting(SyncedFile::file).isEqualTo(good);
        }

        @Test
        @DisplayName("a message over the store's limits is reported with its line; the rest of its batch is stored, once")
        void oversizedMessage() throws IOException {
            Path f = file("s1");
            for (int i = 1; i <= 5; i++) {
                append(f, i == 3 ? prompt("s1", i).replace("prompt 3", "x".repeat(10_001)) : prompt("s1", i));
            }

            SyncReport report = finished().sync(List.of(f));

            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.line()).isEqualTo(3);
                assertThat(p.reason()).contains("text: must be at most 10000 characters");
            });
            assertThat(rows("s1")).extracting(Message::text).containsExactly("prompt 1", "prompt 2", "prompt 4", "prompt 5");
            assertThat(report.files().get(0).messages()).isEqualTo(4);
            int writes = storage.writes();
            assertThat(finished().sync(List.of(f)).problems()).isEmpty(); // the cursor moved past it
            assertThat(storage.writes()).isEqualTo(writes);
        }
    }

    @Test
    @DisplayName("the formats and session databases on the class path are found through ServiceLoader")
    void installedFormats() {
        assertThat(SessionSync.installedFormats()).extracting(SessionFormat::agentId).containsExactly("claude-code", "codex", "gemini-cli");
        assertThat(SessionSync.installedDatabases()).extracting(d -> d.getClass().getSimpleName())
                .containsExactly("OpenCodeDatabase", "OpenCodeStorage");
    }

    @Test
    @DisplayName("lines appended in chunks across many files and syncs: every count and total exact, with no recount")
    void manyFilesManySyncs() throws IOException {
        Random random = new Random(7);
        Map<String, String> wholes = new java.util.LinkedHashMap<>();
        Map<String, Integer> written = new java.util.HashMap<>();
        for (int i = 0; i < 6; i++) {
            wholes.put("s" + i, session("s" + i, 3 + random.nextInt(8)));
            written.put("s" + i, 0);
        }
        List<String> open = new ArrayList<>(wholes.keySet());
        while (!open.isEmpty()) {
            String s = open.get(random.nextInt(open.size()));
            String whole = wholes.get(s);
            int at = written.get(s);
            int next = Math.min(whole.length(), at + 1 + random.nextInt(900));
            append(file(s), whole.substring(at, next));
            written.put(s, next);
            if (next == whole.length()) {
                open.remove(s);
            }
            live().sync(List.of(dir));
        }
        finished().sync(List.of(dir));

        assertThat(storage.recounts).isZero();
        for (String s : wholes.keySet()) {
            int turns = (int) wholes.get(s).lines().filter(l -> l.contains("\"prompt ")).count();
            assertThat(trace(s).messageCount()).as(s).isEqualTo(rows(s).size()).isEqualTo(turns * 4);
            assertThat(trace(s).toolCallCount()).as(s).isEqualTo(turns);
            assertThat(trace(s).tokens().outputTokens()).as(s).isEqualTo(turns * (9 + 4L));
        }
    }
}
