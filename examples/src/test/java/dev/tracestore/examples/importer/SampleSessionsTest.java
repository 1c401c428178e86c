package dev.tracestore.examples.importer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.Message;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SessionImporterTest {
    private static final String CURRY = "0ccf1a04-1b4c-43b6-8aa5-79e41db43a68";
    private static final String WEBSEARCH = "4b2030ed-5563-49ea-b703-6a002f2d3cc8";
    private static final String CSV = "7d3f1c52-9a41-4e0b-b6d2-3c8e5f0a1b27";
    private static final String LOCALE = "c81e0f44-2b6a-4d17-93f5-aa0d6e2c7b90";

    @TempDir
    Path dir;
    TraceStore store;
    SessionImporter importer;
    Path samples;

    @BeforeEach
    void setUp() {
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).maxTextLength(100_000).build();
        importer = new SessionImporter(store, "me", null, 10, SessionImporter.Progress.none());
        samples = BundledSamples.extractTo(dir.resolve("samples"));
    }

    private TraceDetail trace(String sessionId) {
        return store.findTrace("me", sessionId).orElseThrow();
    }

    private List<Message> rows(long traceId) {
        Page<Message> page = store.listMessages(traceId, null, 1000);
        assertThat(page.hasMore()).isFalse();
        return page.items();
    }

    @Nested
    @DisplayName("Importing the bundled samples")
    class Samples {

        @Test
        @DisplayName("gives the hand-checked message counts")
        void counts() {
            ImportReport report = importer.importPaths(List.of(samples));

            assertThat(report.problems()).isEmpty();
            assertThat(report.subagentFilesSkipped()).isEqualTo(6);
            // Hand-checked against the files (see ClaudeCodeFormat and CodexFormat for the rules):
            // curry: 13 user lines (not isMeta) + 7 tool-result lines + 11 assistant replies (25 lines);
            // websearch: 1 + 1 + 2; csv: 2 prompts + 4 tool calls + 4 outputs + 2 replies (2 scaffolding
            // messages, the reasoning item and the event_msg stream skipped); locale: 1 + 1 + 1 + 1.
            Map<String, Long> counts = report.sessions().stream().collect(Collectors.toMap(
                    s -> store.getTrace(s.traceId()).orElseThrow().externalId(), s -> s.recount().count()));
            assertThat(counts).containsExactlyInAnyOrderEntriesOf(Map.of(CURRY, 31L, WEBSEARCH, 4L, CSV, 12L, LOCALE, 4L));
            for (String session : counts.keySet()) {
                TraceDetail t = trace(session);
                assertThat(t.messageCount()).as(session).isEqualTo(rows(t.id()).size()).isEqualTo(counts.get(session));
            }
            assertThat(report.sessions()).allSatisfy(s -> assertThat(s.recount().drift()).isZero());
        }

        @Test
        @DisplayName("splits roles as a reader sees them: prompts, tool results, one message per assistant reply")
        void roles() {
            importer.importPaths(List.of(samples));

            Map<Role, Long> roles = rows(trace(CURRY).id()).stream()
                    .collect(Collectors.groupingBy(Message::role, Collectors.counting()));
            assertThat(roles).containsExactlyInAnyOrderEntriesOf(Map.of(Role.USER, 13L, Role.TOOL, 7L, Role.ASSISTANT, 11L));

            Message firstReply = rows(trace(CURRY).id()).get(1);
            assertThat(firstReply.role()).isEqualTo(Role.ASSISTANT);
            assertThat(firstReply.externalId()).startsWith("8e26412c"); // the uuid of the reply's first line (line 3)
            assertThat(firstReply.sequence()).isEqualTo(3);
            assertThat(firstReply.partsJson()).contains("\"thinking\"").contains("\"tool_use\"");
            assertThat(firstReply.text()).startsWith("I'll spawn three background agents");
        }

        @Test
        @DisplayName("takes titles, agents, models, projects and start times from the sessions")
        void traceAttributes() {
            importer.importPaths(List.of(samples));

            TraceDetail curry = trace(CURRY);
            assertThat(curry.title()).isEqualTo("Spawn curry poem agents, write sushi");
            assertThat(curry.agentId()).isEqualTo("claude-code");
            assertThat(curry.model()).isEqualTo("claude-opus-4-5-20251101");
            assertThat(curry.projectName()).isEqualTo("claude-code-sessions");

            assertThat(trace(WEBSEARCH).title())
                    .isEqualTo("spawn a subagent to perform a websearch to determine what is the most popular color of thai curry");
            assertThat(trace(WEBSEARCH).createdAt()).isEqualTo("2026-01-21T20:52:08.342Z");

            TraceDetail csv = trace(CSV);
            assertThat(csv.agentId()).isEqualTo("codex");
            assertThat(csv.model()).isEqualTo("gpt-5-codex");
            assertThat(csv.projectName()).isEqualTo("ledger-import");
            assertThat(csv.title()).hasSize(Titles.MAX).endsWith("…").startsWith("The CSV importer loads the whole file");
            assertThat(trace(LOCALE).title()).isEqualTo("Why does InvoiceTotalsTest fail only in CI?");
        }

        @Test
        @DisplayName("re-importing is idempotent for the messages; the count drifts and the recount repairs it")
        void reimport() {
            importer.importPaths(List.of(samples));
            ImportReport again = importer.importPaths(List.of(samples));

            SessionResult curry = again.sessions().stream()
                    .filter(s -> s.traceId() == trace(CURRY).id()).findFirst().orElseThrow();
            assertThat(curry.countBeforeRecount()).isEqualTo(62);
            assertThat(curry.recount().drift()).isEqualTo(31);
            assertThat(curry.recount().count()).isEqualTo(31);
            assertThat(rows(trace(CURRY).id())).hasSize(31);
        }
    }

    @Test
    @DisplayName("a live session's grown file adds the new messages; the drift equals what was re-sent")
    void grownFile() throws IOException {
        Path source = samples.resolve("claude-code/" + CURRY + ".jsonl");
        List<String> lines = Files.readAllLines(source);
        Path live = dir.resolve("live/" + CURRY + ".jsonl");
        Files.createDirectories(live.getParent());
        Files.write(live, lines.subList(0, 40)); // the session as it stood at line 40 (mid-session)

        SessionResult early = importer.importPaths(List.of(live)).sessions().get(0);
        Files.write(live, lines);
        SessionResult later = importer.importPaths(List.of(live)).sessions().get(0);

        // Hand-checked: lines 1-40 hold 4 prompts (line 36 is isMeta), 3 tool results and 3 assistant replies.
        assertThat(early.recount().count()).isEqualTo(10);
        assertThat(later.countBeforeRecount()).isEqualTo(10 + 31);
        assertThat(later.recount()).extracting(r -> r.count(), r -> r.drift()).containsExactly(31L, 10L);
        assertThat(rows(early.traceId())).hasSize(31);
    }

    @Nested
    @DisplayName("Bad input")
    class BadInput {

        private Path write(String name, String content) throws IOException {
            Path file = dir.resolve("bad/" + name);
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
            return file;
        }

        private String line(int n) {
            return "{\"type\":\"user\",\"sessionId\":\"s-1\",\"uuid\":\"u-" + n + "\",\"timestamp\":\"2026-01-01T00:00:0"
                    + n + "Z\",\"message\":{\"role\":\"user\",\"content\":\"prompt " + n + "\"}}\n";
        }

        @Test
        @DisplayName("a malformed line, an unknown record type and a truncated last line are reported by line; the rest is imported")
        void badLines() throws IOException {
            Path file = write("s-1.jsonl", line(1) + "{not json\n" + line(3)
                    + "{\"type\":\"hologram\",\"sessionId\":\"s-1\"}\n" + line(5) + "{\"type\":\"user\",\"sessio");

            ImportReport report = importer.importPaths(List.of(file));

            assertThat(report.problems()).extracting(ImportProblem::line, ImportProblem::reason)
                    .satisfiesExactly(
                            p -> assertThat(p.toList()).startsWith(2).element(1).asString().startsWith("malformed JSON"),
                            p -> assertThat(p.toList()).startsWith(6).element(1).asString().startsWith("truncated last line"),
                            p -> assertThat(p.toList()).startsWith(4).element(1).asString().contains("unknown record type \"hologram\""));
            assertThat(report.problems()).allSatisfy(p -> assertThat(p.file()).isEqualTo(file));
            assertThat(report.problems().get(0).toString()).startsWith(file + ":2: ");
            assertThat(rows(trace("s-1").id())).extracting(Message::text).containsExactly("prompt 1", "prompt 3", "prompt 5");
            assertThat(report.importedAnything()).isTrue();
        }

        @Test
        @DisplayName("files that are not sessions and a missing path are reported, and the other files still import")
        void badFiles() throws IOException {
            Path text = write("notes.jsonl", "just some notes\nnot json at all\n");
            Path binary = dir.resolve("bad/blob.jsonl");
            Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
            Path empty = write("empty.jsonl", "");
            Path other = write("other.jsonl", "{\"hello\":\"world\"}\n");
            Path good = write("s-1.jsonl", line(1));
            Path missing = dir.resolve("nowhere");

            ImportReport report = importer.importPaths(List.of(dir.resolve("bad"), missing));

            Map<Path, List<String>> byFile = report.problems().stream().collect(Collectors.groupingBy(
                    ImportProblem::file, Collectors.mapping(ImportProblem::reason, Collectors.toList())));
            assertThat(byFile.get(text)).last().asString().startsWith("not a JSON Lines session file");
            assertThat(byFile.get(binary)).containsExactly("not a JSON Lines file: it is not UTF-8 text");
            assertThat(byFile.get(empty)).containsExactly("empty file: nothing to import");
            assertThat(byFile.get(other)).containsExactly("neither a Claude Code nor a Codex session: not imported");
            assertThat(byFile.get(missing)).containsExactly("no such file or directory");
            assertThat(byFile).doesNotContainKey(good);
            assertThat(report.sessions()).singleElement().extracting(SessionResult::file).isEqualTo(good);
        }

        @Test
        @DisplayName("nothing importable is reported as such")
        void nothing() {
            ImportReport report = importer.importPaths(List.of(dir.resolve("nowhere")));
            assertThat(report.importedAnything()).isFalse();
        }

        @Test
        @DisplayName("a message over the store's limits is reported with its line; the rest of its batch is stored")
        void oversizedMessage() throws IOException {
            StringBuilder content = new StringBuilder();
            for (int i = 1; i <= 5; i++) {
                content.append(i == 3 ? line(i).replace("prompt 3", "x".repeat(100_001)) : line(i));
            }
            Path file = write("s-1.jsonl", content.toString());

            ImportReport report = importer.importPaths(List.of(file));

            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.line()).isEqualTo(3);
                assertThat(p.reason()).contains("text: must be at most 100000 characters");
            });
            assertThat(rows(trace("s-1").id())).extracting(Message::text)
                    .containsExactly("prompt 1", "prompt 2", "prompt 4", "prompt 5");
            assertThat(report.sessions().get(0).messages()).isEqualTo(4);
        }
    }

    @Test
    @DisplayName("reports progress after each file")
    void progress() {
        List<String> updates = new ArrayList<>();
        new SessionImporter(store, "me", null, 10, (done, total, messages) -> updates.add(done + "/" + total + ":" + messages))
                .importPaths(List.of(samples));
        assertThat(updates).containsExactly("1/4:31", "2/4:35", "3/4:47", "4/4:51");
    }
}
