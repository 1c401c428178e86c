package dev.tracestore.sync.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracestore.Message;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gemini CLI's JSON Lines recordings: the fixture's hand-computed figures, growth, rewinds and checkpoints. */
class GeminiCliFormatTest {
    private static final String SESSION = "9b1c2d3e-4f50-4a6b-8c7d-0e1f2a3b4c5d";
    private static final String FIXTURE = "/fixtures/gemini-cli/demo-app/chats/session-2026-08-20T10-00-9b1c2d3e.jsonl";

    @TempDir
    Path dir;
    TraceStore store;
    Path file;

    @BeforeEach
    void setUp() throws IOException {
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        file = dir.resolve("demo-app/chats/session-2026-08-20T10-00-9b1c2d3e.jsonl");
        Files.createDirectories(file.getParent());
        try (InputStream in = GeminiCliFormatTest.class.getResourceAsStream(FIXTURE)) {
            Files.copy(in, file);
        }
    }

    private SessionSync finished() {
        return SessionSync.builder(store).namespace("me").quietPeriod(Duration.ZERO).build();
    }

    private SessionSync live() {
        return SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofHours(1)).build();
    }

    private SessionSync quietLater() {
        return SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofSeconds(1))
                .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1))).build();
    }

    private TraceDetail trace() {
        return store.findTrace("me", SESSION).orElseThrow();
    }

    private List<Message> rows() {
        return store.listMessages(trace().id(), null, 1000).items();
    }

    private List<String> fixtureLines() throws IOException {
        return Files.readAllLines(file);
    }

    @Test
    @DisplayName("the fixture gives its hand-computed messages, tool calls, tokens, title, model and project")
    void fixture() {
        SyncReport report = finished().sync(List.of(dir));

        assertThat(report.problems()).isEmpty();
        assertThat(report.files()).singleElement().satisfies(f -> assertThat(f.agentId()).isEqualTo("gemini-cli"));
        assertThat(rows()).extracting(m -> m.externalId().substring(9, 13), Message::role, Message::toolCalls).containsExactly(
                tuple("1111", Role.USER, 0), tuple("2222", Role.ASSISTANT, 1), tuple("3333", Role.TOOL, 0),
                tuple("4444", Role.ASSISTANT, 0), tuple("6666", Role.USER, 0), tuple("7777", Role.ASSISTANT, 0));
        TraceDetail t = trace();
        assertThat(t.messageCount()).isEqualTo(6);
        assertThat(t.toolCallCount()).isEqualTo(1);
        assertThat(t.tokens()).isEqualTo(TokenUsage.of(3850 - 2048, 44 + 12).withCache(2048, 0));
        assertThat(t.title()).isEqualTo("Listed files in src");
        assertThat(t.model()).isEqualTo("gemini-2.5-pro");
        assertThat(t.projectName()).isEqualTo("demo-app");
        assertThat(t.agentId()).isEqualTo("gemini-cli");
        assertThat(rows().get(1).partsJson()).as("the reply in its last-written form").contains("list_directory");
        assertThat(rows().get(2).text()).isEqualTo("Directory listing for src:\nMain.java");
    }

    @Test
    @DisplayName("synced line by line as it grows, it stores exactly what one sync of the whole file stores, the rewound prompt never sent")
    void lineByLine() throws IOException {
        List<String> lines = fixtureLines();
        Files.writeString(file, "");
        for (String line : lines) {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            live().sync(List.of(file));
            store.findTrace("me", SESSION).ifPresent(t -> assertThat(t.messageCount()).as("exact after each sync, no drift")
                    .isEqualTo(store.listMessages(t.id(), null, 1000).items().size()));
        }
        finished().sync(List.of(file));

        assertThat(rows()).extracting(m -> m.externalId().substring(9, 13)).containsExactly("1111", "2222", "3333", "4444",
                "6666", "7777");
        assertThat(trace().messageCount()).isEqualTo(6);
        assertThat(trace().tokens()).isEqualTo(TokenUsage.of(1802, 56).withCache(2048, 0));
    }

    @Test
    @DisplayName("a rewind to a message already stored removes it and what follows from the trace: the count stays exact")
    void rewindOfAStoredMessage() throws IOException {
        List<String> lines = fixtureLines();
        Files.write(file, lines.subList(0, 12)); // up to the prompt that will be rewound, and its $set
        quietLater().sync(List.of(file));        // the file is quiet: the prompt of line 11 is stored
        assertThat(rows()).extracting(m -> m.externalId().substring(9, 13)).contains("5555");
        assertThat(trace().messageCount()).isEqualTo(5);

        Files.write(file, lines.subList(12, lines.size()), StandardOpenOption.APPEND);
        SyncReport report = quietLater().sync(List.of(file));

        assertThat(report.problems()).isEmpty();
        assertThat(rows()).extracting(m -> m.externalId().substring(9, 13)).containsExactly("1111", "2222", "3333", "4444",
                "6666", "7777");
        assertThat(trace().messageCount()).isEqualTo(6).isEqualTo(rows().size());
        assertThat(trace().tokens()).isEqualTo(TokenUsage.of(1802, 56).withCache(2048, 0));

        SyncReport again = quietLater().sync(List.of(file));
        assertThat(again.files().get(0).messages()).as("the rewind is not applied twice").isZero();
        assertThat(rows()).hasSize(6);
    }

    @Test
    @DisplayName("a $set.messages checkpoint replaces the conversation; commands and context are not prompts; notices are not messages")
    void checkpoint() throws IOException {
        String meta = "{\"sessionId\":\"s-cp\",\"projectHash\":\"" + "a".repeat(64) + "\",\"startTime\":\"2026-08-20T10:00:00.000Z\"}";
        Files.writeString(file, String.join("\n", meta,
                "{\"id\":\"u1\",\"timestamp\":\"2026-08-20T10:00:01.000Z\",\"type\":\"user\",\"content\":[{\"text\":\"first\"}]}",
                "{\"id\":\"g1\",\"timestamp\":\"2026-08-20T10:00:02.000Z\",\"type\":\"gemini\",\"content\":\"reply\","
                        + "\"tokens\":{\"input\":10,\"output\":2,\"cached\":0,\"total\":12}}",
                "{\"id\":\"u2\",\"timestamp\":\"2026-08-20T10:00:03.000Z\",\"type\":\"user\",\"content\":[{\"text\":\"/stats\"}]}",
                "{\"id\":\"i1\",\"timestamp\":\"2026-08-20T10:00:03.500Z\",\"type\":\"info\",\"content\":\"Session stats\"}",
                "{\"$set\":{\"messages\":[{\"id\":\"c0\",\"timestamp\":\"2026-08-20T10:00:00.500Z\",\"type\":\"user\","
                        + "\"content\":[{\"text\":\"<session_context>cwd</session_context>\"}]},"
                        + "{\"id\":\"u1\",\"timestamp\":\"2026-08-20T10:00:01.000Z\",\"type\":\"user\",\"content\":[{\"text\":\"first, compressed\"}]}],"
                        + "\"lastUpdated\":\"2026-08-20T10:00:04.000Z\"}}",
                "{\"id\":\"g2\",\"timestamp\":\"2026-08-20T10:00:05.000Z\",\"type\":\"gemini\",\"content\":\"after\","
                        + "\"tokens\":{\"input\":20,\"output\":3,\"cached\":5,\"total\":23}}") + "\n");

        finished().sync(List.of(file));

        TraceDetail t = store.findTrace("me", "s-cp").orElseThrow();
        assertThat(store.listMessages(t.id(), null, 100).items()).extracting(Message::externalId, Message::text)
                .containsExactly(tuple("u1", "first, compressed"), tuple("g2", "after"));
        assertThat(t.messageCount()).isEqualTo(2);
        assertThat(t.tokens()).isEqualTo(TokenUsage.of(15, 3).withCache(5, 0));
        assertThat(t.projectName()).isEqualTo("demo-app");
    }

    @Test
    @DisplayName("the whole-file JSON of versions up to v0.38: read whole, unchanged costs nothing, rewritten is read again into the same trace")
    void legacyDocument() throws IOException {
        Path legacy = dir.resolve("legacy/chats/session-2026-04-10T09-00-1a2b3c4d.json");
        Files.createDirectories(legacy.getParent());
        try (InputStream in = GeminiCliFormatTest.class.getResourceAsStream(
                "/fixtures/gemini-cli/legacy/chats/session-2026-04-10T09-00-1a2b3c4d.json")) {
            Files.copy(in, legacy);
        }
        String session = "1a2b3c4d-0000-4000-8000-000000000001";

        SyncReport first = finished().sync(List.of(dir.resolve("legacy")));
        TraceDetail t = store.findTrace("me", session).orElseThrow();
        assertThat(first.problems()).isEmpty();
        assertThat(first.files()).singleElement().satisfies(f -> assertThat(f.complete()).isTrue());
        assertThat(store.listMessages(t.id(), null, 100).items()).extracting(Message::role, Message::toolCalls)
                .containsExactly(tuple(Role.USER, 0), tuple(Role.ASSISTANT, 1), tuple(Role.ASSISTANT, 0));
        assertThat(t.tokens()).isEqualTo(TokenUsage.of(1860 - 512, 19).withCache(512, 0));
        assertThat(t.title()).isEqualTo("What does Main.java do?");

        assertThat(finished().sync(List.of(legacy)).files().get(0).batches()).as("unchanged: nothing written").isZero();

        String rewritten = Files.readString(legacy).replace("\"lastUpdated\": \"2026-04-10T09:00:12.000Z\"",
                "\"lastUpdated\": \"2026-04-10T09:05:00.000Z\"").replaceFirst("\\]\\s*}\\s*$",
                ", {\"id\": \"aaaa0000-0000-4000-8000-000000000009\", \"timestamp\": \"2026-04-10T09:05:00.000Z\","
                        + " \"type\": \"user\", \"content\": [{\"text\": \"Thanks\"}]}]}");
        Files.writeString(legacy, rewritten);
        SyncReport again = finished().sync(List.of(legacy));

        assertThat(again.files().get(0).resynced()).isTrue();
        TraceDetail after = store.findTrace("me", session).orElseThrow();
        assertThat(after.id()).isEqualTo(t.id());
        assertThat(after.messageCount()).isEqualTo(4).isEqualTo(store.listMessages(t.id(), null, 100).items().size());
    }

    @Test
    @DisplayName("a .json that Gemini CLI migrated to the .jsonl beside it is left to the .jsonl")
    void migratedDocumentIsNotClaimed() throws IOException {
        Path json = file.resolveSibling(file.getFileName().toString().replace(".jsonl", ".json"));
        Files.writeString(json, "{\"sessionId\": \"" + SESSION + "\", \"projectHash\": \"" + "a".repeat(64)
                + "\", \"messages\": []}");

        SyncReport report = finished().sync(List.of(dir));

        assertThat(report.files()).singleElement().satisfies(f -> assertThat(f.file()).isEqualTo(file));
    }
}
