package dev.tracestore.sync.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracestore.Message;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The token usage and tool calls each format gives a message, summed on the trace. The real
 * sessions' figures are pinned with the demo's bundled samples ({@code SampleSessionsTest}).
 */
class SessionTotalsTest {
    @TempDir
    Path dir;
    TraceStore store;
    SessionSync sync;

    @BeforeEach
    void setUp() {
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        sync = SessionSync.builder(store).namespace("me").batchSize(10).quietPeriod(Duration.ZERO).build();
    }

    private TraceDetail trace(String sessionId) {
        return store.findTrace("me", sessionId).orElseThrow();
    }

    private List<Message> rows(String sessionId) {
        return store.listMessages(trace(sessionId).id(), null, 1000).items();
    }

    private Path write(String name, String... lines) throws IOException {
        Path file = dir.resolve("fixtures/" + name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
        return file;
    }

    @Nested
    @DisplayName("Claude Code")
    class ClaudeCode {

        /**
         * One reply written as three lines sharing {@code message.id}, each repeating the
         * reply's input and cache counts, with {@code output_tokens} 5, 40 and 12, and a
         * {@code tool_use} block repeated on the last line.
         */
        @Test
        @DisplayName("a reply split over three lines counts its usage once, with the largest output, and each tool_use once")
        void splitReply() throws IOException {
            String usage = "\"usage\":{\"input_tokens\":3,\"cache_read_input_tokens\":100,\"cache_creation_input_tokens\":20,"
                    + "\"output_tokens\":%d}";
            String line = "{\"type\":\"assistant\",\"sessionId\":\"s-split\",\"uuid\":\"a-%d\",\"timestamp\":"
                    + "\"2026-01-01T00:00:0%dZ\",\"message\":{\"id\":\"msg_1\",\"role\":\"assistant\",\"model\":\"m\","
                    + "\"content\":[%s]," + usage + "}}";
            Path file = write("s-split.jsonl",
                    "{\"type\":\"user\",\"sessionId\":\"s-split\",\"uuid\":\"u-1\",\"timestamp\":\"2026-01-01T00:00:00Z\","
                            + "\"message\":{\"role\":\"user\",\"content\":\"list the files\"}}",
                    line.formatted(1, 1, "{\"type\":\"thinking\",\"thinking\":\"ls\"}", 5),
                    line.formatted(2, 2, "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}}", 40),
                    line.formatted(3, 3, "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"Bash\",\"input\":{}},"
                            + "{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"Read\",\"input\":{}}", 12));

            SyncReport report = sync.sync(List.of(file));

            assertThat(report.problems()).isEmpty();
            assertThat(rows("s-split")).hasSize(2).last().satisfies(reply -> {
                assertThat(reply.externalId()).isEqualTo("a-1");
                assertThat(reply.usage()).isEqualTo(TokenUsage.of(3, 40).withCache(100, 20));
                assertThat(reply.toolCalls()).isEqualTo(2);
            });
            assertThat(trace("s-split").tokens()).isEqualTo(TokenUsage.of(3, 40).withCache(100, 20));
            assertThat(trace("s-split").toolCallCount()).isEqualTo(2);
        }
    }

    @Nested
    @DisplayName("Codex")
    class Codex {

        /** A rollout with every kind of token_count event, lines 1-12. */
        private Path rollout() throws IOException {
            String count = "{\"timestamp\":\"2026-01-01T00:00:0%dZ\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
                    + "\"info\":%s}}";
            String total100 = "{\"total_token_usage\":{\"input_tokens\":100,\"cached_input_tokens\":60,\"output_tokens\":10},"
                    + "\"last_token_usage\":{\"input_tokens\":100,\"cached_input_tokens\":60,\"output_tokens\":10}}";
            return write("rollout-2026-01-01T00-00-00-11111111-2222-4333-8444-555555555555.jsonl",
                    "{\"timestamp\":\"2026-01-01T00:00:00Z\",\"type\":\"session_meta\",\"payload\":{\"id\":\"s-codex\"}}",
                    "{\"timestamp\":\"2026-01-01T00:00:01Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\","
                            + "\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"run the tests\"}]}}",
                    count.formatted(1, "null"),
                    count.formatted(1, "{\"last_token_usage\":{\"input_tokens\":7,\"output_tokens\":1}}"),
                    "{\"timestamp\":\"2026-01-01T00:00:02Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call\","
                            + "\"name\":\"shell\",\"arguments\":\"{}\",\"call_id\":\"c1\"}}",
                    count.formatted(2, total100),
                    count.formatted(2, total100),
                    "{\"timestamp\":\"2026-01-01T00:00:03Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"function_call_output\","
                            + "\"call_id\":\"c1\",\"output\":\"ok\"}}",
                    "{\"timestamp\":\"2026-01-01T00:00:04Z\",\"type\":\"response_item\",\"payload\":{\"type\":\"message\","
                            + "\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"all green\"}]}}",
                    count.formatted(4, "{\"total_token_usage\":{\"input_tokens\":250,\"cached_input_tokens\":160,\"output_tokens\":30},"
                            + "\"last_token_usage\":{\"input_tokens\":150,\"cached_input_tokens\":100,\"output_tokens\":20}}"),
                    count.formatted(5, "{\"last_token_usage\":{\"input_tokens\":40,\"cached_input_tokens\":0,\"output_tokens\":5}}"),
                    count.formatted(6, "{\"total_token_usage\":{\"input_tokens\":0,\"cached_input_tokens\":0,\"output_tokens\":0}}"));

        }

        @Test
        @DisplayName("token_count events: totals' growth, a repeated event once, last usage without totals, empty ones skipped")
        void tokenCountEvents() throws IOException {
            Path file = rollout();

            SyncReport report = sync.sync(List.of(file));

            assertThat(report.problems()).singleElement().satisfies(p -> {
                assertThat(p.line()).isEqualTo(4);
                assertThat(p.reason()).isEqualTo("token_count before any assistant message: not counted");
            });
            assertThat(rows("s-codex")).extracting(Message::externalId, Message::usage, Message::toolCalls).containsExactly(
                    tuple("line-2", null, 0),
                    tuple("c1", TokenUsage.of(40, 10).withCache(60, 0), 1),   // 100 - 60 cached; the repeat adds nothing
                    tuple("c1/output", null, 0),
                    tuple("line-9", TokenUsage.of(50 + 40, 20 + 5).withCache(100, 0), 0));  // growth to 250/160/30, then last 40/0/5
            assertThat(trace("s-codex").tokens()).isEqualTo(TokenUsage.of(130, 35).withCache(160, 0));
            assertThat(trace("s-codex").toolCallCount()).isEqualTo(1);
        }
    
        @Test
        @DisplayName("synced line by line as the file grows, the events give the same figures as one sync of the whole file")
        void lineByLine() throws IOException {
            List<String> lines = Files.readAllLines(rollout());
            Path grown = dir.resolve("grown/" + rollout().getFileName());
            Files.createDirectories(grown.getParent());
            Files.writeString(grown, "");
            SessionSync live = SessionSync.builder(store).namespace("live").quietPeriod(Duration.ofHours(1)).build();
            for (String line : lines) {
                Files.writeString(grown, line + "\n", StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.APPEND);
                live.sync(List.of(grown));
            }
            SessionSync.builder(store).namespace("live").quietPeriod(Duration.ZERO).build().sync(List.of(grown));
            sync.sync(List.of(rollout()));

            TraceDetail whole = trace("s-codex");
            TraceDetail byLine = store.findTrace("live", "s-codex").orElseThrow();
            assertThat(byLine.tokens()).isEqualTo(whole.tokens()).isEqualTo(TokenUsage.of(130, 35).withCache(160, 0));
            assertThat(byLine.messageCount()).isEqualTo(whole.messageCount()).isEqualTo(4);
            assertThat(store.listMessages(byLine.id(), null, 100).items()).extracting(Message::externalId, Message::usage)
                    .containsExactlyElementsOf(rows("s-codex").stream().map(m -> tuple(m.externalId(), m.usage())).toList());
        }
    }
}
