package dev.tracestore.examples.importer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.Message;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import dev.tracestore.sync.SyncedFile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The demo's bundled sessions, synced with {@code tracestore-sync}: their hand-checked figures. */
class SampleSessionsTest {
    private static final String CURRY = "0ccf1a04-1b4c-43b6-8aa5-79e41db43a68";
    private static final String WEBSEARCH = "4b2030ed-5563-49ea-b703-6a002f2d3cc8";
    private static final String CSV = "7d3f1c52-9a41-4e0b-b6d2-3c8e5f0a1b27";
    private static final String LOCALE = "c81e0f44-2b6a-4d17-93f5-aa0d6e2c7b90";

    @TempDir
    Path dir;
    TraceStore store;
    SessionSync sync;
    Path samples;

    @BeforeEach
    void setUp() {
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).maxTextLength(100_000).build();
        sync = SessionSync.builder(store).namespace("me").batchSize(10).quietPeriod(Duration.ZERO).build();
        samples = BundledSamples.extractTo(dir.resolve("samples"));
    }

    private TraceDetail trace(String sessionId) {
        return store.findTrace("me", sessionId).orElseThrow();
    }

    private List<Message> rows(String sessionId) {
        Page<Message> page = store.listMessages(trace(sessionId).id(), null, 1000);
        assertThat(page.hasMore()).isFalse();
        return page.items();
    }

    @Test
    @DisplayName("gives the hand-checked message counts, cached equal to the rows with no recount")
    void counts() {
        SyncReport report = sync.sync(List.of(samples));

        assertThat(report.problems()).isEmpty();
        // Hand-checked against the files (see ClaudeCodeFormat and CodexFormat for the rules):
        // curry: 13 user lines (not isMeta) + 7 tool-result lines + 11 assistant replies (25 lines);
        // websearch: 1 + 1 + 2; csv: 2 prompts + 4 tool calls + 4 outputs + 2 replies (2 scaffolding
        // messages, the reasoning item and the event_msg stream skipped); locale: 1 + 1 + 1 + 1.
        // The 6 subagent transcripts under <session>/subagents/ are not claimed.
        Map<String, Integer> sent = report.files().stream().collect(Collectors.toMap(SyncedFile::sessionId, SyncedFile::messages));
        assertThat(sent).containsExactlyInAnyOrderEntriesOf(Map.of(CURRY, 31, WEBSEARCH, 4, CSV, 12, LOCALE, 4));
        for (String session : sent.keySet()) {
            assertThat(trace(session).messageCount()).as(session).isEqualTo(rows(session).size())
                    .isEqualTo(sent.get(session).longValue());
        }
        assertThat(report.files()).allSatisfy(f -> assertThat(f.complete()).isTrue());
    }

    @Test
    @DisplayName("splits roles as a reader sees them: prompts, tool results, one message per assistant reply")
    void roles() {
        sync.sync(List.of(samples));

        Map<Role, Long> roles = rows(CURRY).stream().collect(Collectors.groupingBy(Message::role, Collectors.counting()));
        assertThat(roles).containsExactlyInAnyOrderEntriesOf(Map.of(Role.USER, 13L, Role.TOOL, 7L, Role.ASSISTANT, 11L));

        Message firstReply = rows(CURRY).get(1);
        assertThat(firstReply.role()).isEqualTo(Role.ASSISTANT);
        assertThat(firstReply.externalId()).startsWith("8e26412c"); // the uuid of the reply's first line (line 3)
        assertThat(firstReply.sequence()).isEqualTo(3);
        assertThat(firstReply.partsJson()).contains("\"thinking\"").contains("\"tool_use\"");
        assertThat(firstReply.text()).startsWith("I'll spawn three background agents");
    }

    @Test
    @DisplayName("takes titles, agents, models, projects and start times from the sessions")
    void traceAttributes() {
        sync.sync(List.of(samples));

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
        assertThat(csv.title()).hasSize(100).endsWith("…").startsWith("The CSV importer loads the whole file");
        assertThat(trace(LOCALE).title()).isEqualTo("Why does InvoiceTotalsTest fail only in CI?");
    }

    /**
     * The real session {@code 0ccf1a04-….jsonl}, its figures computed by hand from the file:
     * per {@code message.id} of the non-sidechain assistant lines, the largest of each usage
     * field, summed over the replies; tool calls, the distinct {@code tool_use} block ids.
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
     * The Codex samples are hand-written (the shared data holds no real Codex session): the csv
     * rollout's one {@code token_count} (line 16) has totals 18342 input, of which 12288 cached,
     * and 913 output, after the tool call of line 14; it has 4 tool calls, the locale rollout 1
     * and no {@code token_count}.
     */
    @Test
    @DisplayName("gives the hand-computed tokens and tool calls")
    void totals() {
        sync.sync(List.of(samples));

        assertThat(trace(CURRY).tokens()).isEqualTo(new TokenUsage(70, 32, 194_395, 46_482));
        assertThat(trace(CURRY).toolCallCount()).isEqualTo(7);
        assertThat(rows(CURRY).stream().filter(m -> m.role() != Role.ASSISTANT))
                .allSatisfy(m -> assertThat(m.usage()).isNull()).allSatisfy(m -> assertThat(m.toolCalls()).isZero());
        assertThat(trace(CSV).tokens()).isEqualTo(TokenUsage.of(18_342 - 12_288, 913).withCache(12_288, 0));
        assertThat(trace(CSV).toolCallCount()).isEqualTo(4);
        assertThat(rows(CSV)).filteredOn(m -> m.usage() != null).singleElement()
                .extracting(Message::externalId).isEqualTo("call_Hn7pC2xF6gRt8wLs");
        assertThat(trace(LOCALE).tokens()).isEqualTo(TokenUsage.NONE);
        assertThat(trace(LOCALE).toolCallCount()).isEqualTo(1);
    }

    @Test
    @DisplayName("syncing the samples again sends nothing: every count and total stays exact")
    void again() {
        sync.sync(List.of(samples));
        SyncReport again = sync.sync(List.of(BundledSamples.extractTo(dir.resolve("copy"))));

        assertThat(again.files()).hasSize(4).allSatisfy(f -> assertThat(f.messages()).isZero());
        assertThat(trace(CURRY).messageCount()).isEqualTo(31);
        assertThat(trace(CURRY).tokens()).isEqualTo(new TokenUsage(70, 32, 194_395, 46_482));
    }

    @Test
    @DisplayName("reports progress after each file")
    void progress() {
        List<String> updates = new ArrayList<>();
        SessionSync.builder(store).namespace("me").quietPeriod(Duration.ZERO)
                .progress((done, total, messages, bytes) -> updates.add(done + "/" + total + ":" + messages)).build()
                .sync(List.of(samples));
        assertThat(updates).containsExactly("1/4:31", "2/4:35", "3/4:47", "4/4:51");
    }
}
