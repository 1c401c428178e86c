package dev.tracestore.examples.importer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracestore.Message;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token usage and tool calls the importers give each message, summed on the trace. */
class ImportedTotalsTest {
    private static final String CURRY = "0ccf1a04-1b4c-43b6-8aa5-79e41db43a68";
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
         * The real session {@code 0ccf1a04-….jsonl} (bundled, and in the shared data), its figures
         * computed by hand from the file, without the importer: per {@code message.id} of the
         * non-sidechain assistant lines, the largest of each usage field, summed over the replies;
         * tool calls, the distinct {@code tool_use} block ids.
         * <pre>
         * jq -s -c '[.[] | select(.type=="assistant" and .isSidechain!=true)] | group_by(.message.id)
         *   | map({i: (map(.message.usage.input_tokens)|max), o: (map(.message.usage.output_tokens)|max),
         *          r: (map(.message.usage.cache_read_input_tokens)|max),
         *          w: (map(.message.usage.cache_creation_input_tokens)|max)})
         *   | {input: (map(.i)|add), output: (map(.o)|add), cache_read: (map(.r)|add), cache_write: (map(.w)|add)}' \
         *   0ccf1a04-1b4c-43b6-8aa5-79e41db43a68.jsonl
         * {"input":70,"output":32,"cache_read":194395,"cache_write":46482}
         * jq -s '[.[] | select(.type=="assistant" and .isSidechain!=true) | .message.content[]?
         *   | select(.type=="tool_use") | .id] | unique | length' 0ccf1a04-1b4c-43b6-8aa5-79e41db43a68.jsonl
         * 7
         * </pre>
         * A Python script doing the same line by line gave the same figures, over 11 replies (25
         * assistant lines). In this file every line of a reply repeats the same usage, output
         * included; {@link #splitReply} covers a growing {@code output_tokens}.
         */
        @Test
        @DisplayName("a real session gives its hand-computed tokens and tool calls")
        void realSession() {
            importer.importPaths(List.of(samples.resolve("claude-code/" + CURRY + ".jsonl")));

            TraceDetail t = trace(CURRY);
            assertThat(t.tokens()).isEqualTo(new TokenUsage(70, 32, 194_395, 46_482));
            assertThat(t.toolCallCount()).isEqualTo(7);
            assertThat(rows(CURRY).stream().filter(m -> m.role() != Role.ASSISTANT))
                    .allSatisfy(m -> assertThat(m.usage()).isNull())
                    .allSatisfy(m -> assertThat(m.toolCalls()).isZero());
        }

        @Test
        @DisplayName("re-importing drifts the totals as it does the count, and the recount repairs them")
        void reimport() {
            Path file = samples.resolve("claude-code/" + CURRY + ".jsonl");
            importer.importPaths(List.of(file));
            SessionResult again = importer.importPaths(List.of(file)).sessions().get(0);

            assertThat(again.recount().previousTotals().tokens()).isEqualTo(new TokenUsage(140, 64, 388_790, 92_964));
            assertThat(again.recount().previousTotals().toolCalls()).isEqualTo(14);
            assertThat(trace(CURRY).tokens()).isEqualTo(new TokenUsage(70, 32, 194_395, 46_482));
            assertThat(trace(CURRY).toolCallCount()).isEqualTo(7);
        }

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

            ImportReport report = importer.importPaths(List.of(file));

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

        /**
         * The bundled sample rollouts (hand-written from the format description; the shared data
         * holds no real Codex session), their figures read from the files without the importer:
         * <pre>
         * jq -c 'select(.type=="event_msg" and .payload.type=="token_count") | [input_line_number, .payload.info]' \
         *   rollout-2026-11-20T14-02-11-7d3f1c52-….jsonl
         * [16,{"total_token_usage":{"input_tokens":18342,"cached_input_tokens":12288,"output_tokens":913,…}}]
         * jq -s '[.[] | select(.type=="response_item" and (.payload.type
         *   | IN("function_call","custom_tool_call","local_shell_call","web_search_call")))] | length' FILE
         * 4 (the csv rollout), 1 (the locale rollout, which has no token_count)
         * </pre>
         * So the csv trace has input 18342 - 12288 = 6054, cache reads 12288, output 913, no
         * cache writes, all on the tool call of line 14, the assistant message line 16 follows.
         */
        @Test
        @DisplayName("the samples give their hand-computed tokens and tool calls, on the assistant message each event follows")
        void samples() {
            importer.importPaths(List.of(samples.resolve("codex")));

            assertThat(trace(CSV).tokens()).isEqualTo(TokenUsage.of(6054, 913).withCache(12_288, 0));
            assertThat(trace(CSV).toolCallCount()).isEqualTo(4);
            assertThat(rows(CSV)).filteredOn(m -> m.usage() != null).singleElement()
                    .extracting(Message::externalId).isEqualTo("call_Hn7pC2xF6gRt8wLs");
            assertThat(trace(LOCALE).tokens()).isEqualTo(TokenUsage.NONE);
            assertThat(trace(LOCALE).toolCallCount()).isEqualTo(1);
        }

        @Test
        @DisplayName("token_count events: totals' growth, a repeated event once, last usage without totals, empty ones skipped")
        void tokenCountEvents() throws IOException {
            String count = "{\"timestamp\":\"2026-01-01T00:00:0%dZ\",\"type\":\"event_msg\",\"payload\":{\"type\":\"token_count\","
                    + "\"info\":%s}}";
            String total100 = "{\"total_token_usage\":{\"input_tokens\":100,\"cached_input_tokens\":60,\"output_tokens\":10},"
                    + "\"last_token_usage\":{\"input_tokens\":100,\"cached_input_tokens\":60,\"output_tokens\":10}}";
            Path file = write("rollout-2026-01-01T00-00-00-11111111-2222-4333-8444-555555555555.jsonl",
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

            ImportReport report = importer.importPaths(List.of(file));

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
    }
}
