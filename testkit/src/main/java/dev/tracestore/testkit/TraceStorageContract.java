package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceDetail;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreException;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.spi.TraceStorage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.function.Executable;

/**
 * The contract every {@link TraceStorage} adapter keeps, checked through the public
 * {@link TraceStore} API: the counting policy, reads, deletion, the six adapter properties
 * (atomic batch, no lost increments, safe recount, no deadlocks, bounded deletion, unknown
 * trace) and the rejection of bad input.
 *
 * <p>An adapter's test subclasses this class and implements {@link #createStorage} and
 * {@link #forgetMessageCount}; nothing else. Each test gets a fresh, empty storage. An adapter
 * that keeps a property only in a weaker form (a database without multi-row transactions)
 * says which by overriding {@link #capabilities()}; the kit then checks that weaker form in
 * the same tests, and publishes a report entry naming it, so nothing is skipped.
 */
public abstract class TraceStorageContract extends ShareContract {
    // ------------------------------------------------------------------ bad input

    @Nested
    @DisplayName("Rejecting bad input")
    class BadInput {

        private record Case(String name, Class<? extends Throwable> type, String message, Executable call) {
        }

        @TestFactory
        @DisplayName("each bad input is a clear exception naming the field, and nothing is written")
        Stream<DynamicTest> table() {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 3));
            long deleted = trace("deleted").id();
            store.deleteTrace(deleted);
            String longId = "x".repeat(256);
            MessageInput ok = MessageInput.of("ok", 1, Role.USER, "fine");
            String foreignCursor = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString("t1:0000000000000000:1:0:1' OR 1=1 --".getBytes(StandardCharsets.UTF_8));

            List<Case> cases = List.of(
                    new Case("null trace input", IllegalArgumentException.class, "input: must not be null",
                            () -> store.upsertTrace(null)),
                    new Case("null namespace", IllegalArgumentException.class, "namespace: must not be null",
                            () -> store.upsertTrace(TraceInput.of(null, "x"))),
                    new Case("blank namespace", IllegalArgumentException.class, "namespace: must not be blank",
                            () -> store.upsertTrace(TraceInput.of("  ", "x"))),
                    new Case("empty trace external id", IllegalArgumentException.class, "externalId: must not be blank",
                            () -> store.upsertTrace(TraceInput.of(NS, ""))),
                    new Case("control character in an id", IllegalArgumentException.class, "control characters",
                            () -> store.upsertTrace(TraceInput.of(NS, "a\u0000b"))),
                    new Case("trace external id over 255 characters", IllegalArgumentException.class,
                            "externalId: must be at most 255 characters; got 256",
                            () -> store.upsertTrace(TraceInput.of(NS, longId))),
                    new Case("title over 1000 characters", IllegalArgumentException.class, "title: must be at most 1000",
                            () -> store.upsertTrace(TraceInput.of(NS, "new").withTitle("t".repeat(1001)))),
                    new Case("unpaired surrogate in a title", IllegalArgumentException.class,
                            "title: must not contain an unpaired surrogate, which is not a character and cannot be stored"
                                    + " as UTF-8; found U+D83D at index 1",
                            () -> store.upsertTrace(TraceInput.of(NS, "new").withTitle("a\ud83d"))),
                    new Case("unpaired surrogate in a trace external id", IllegalArgumentException.class,
                            "externalId: must not contain an unpaired surrogate",
                            () -> store.upsertTrace(TraceInput.of(NS, "\ude00x"))),
                    new Case("unpaired surrogate in a project name", IllegalArgumentException.class,
                            "projectName: must not contain an unpaired surrogate",
                            () -> store.upsertTrace(TraceInput.of(NS, "s-1").withProject("\udbff"))),
                    new Case("unpaired surrogate in a namespace", IllegalArgumentException.class,
                            "namespace: must not contain an unpaired surrogate",
                            () -> store.upsertTrace(TraceInput.of("team\ud83d", "x"))),
                    new Case("unpaired surrogate in an agent id", IllegalArgumentException.class,
                            "agentId: must not contain an unpaired surrogate",
                            () -> store.upsertTrace(TraceInput.of(NS, "s-1").withAgent("claude\udc00"))),
                    new Case("unpaired surrogate in a trace's model", IllegalArgumentException.class,
                            "model: must not contain an unpaired surrogate",
                            () -> store.upsertTrace(TraceInput.of(NS, "s-1").withModel("\ud800opus"))),
                    new Case("unpaired surrogate in a message's model", IllegalArgumentException.class,
                            "messages[0].model: must not contain an unpaired surrogate",
                            () -> store.upsertMessage(id, ok.withModel("gpt\udfff"))),
                    new Case("unpaired surrogate in a message text, after valid messages", IllegalArgumentException.class,
                            "messages[1].text: must not contain an unpaired surrogate, which is not a character and"
                                    + " cannot be stored as UTF-8; found U+DE00 at index 0",
                            () -> store.upsertMessagesBatch(id, List.of(ok, MessageInput.of("ok2", 2, Role.USER,
                                    "\ude00\ud83d")))),
                    new Case("unpaired surrogate in a message's parts JSON", IllegalArgumentException.class,
                            "messages[0].partsJson: must not contain an unpaired surrogate",
                            () -> store.upsertMessage(id, ok.withPartsJson("[\"\ud800\"]"))),
                    new Case("unpaired surrogate in a message id", IllegalArgumentException.class,
                            "externalId: must not contain an unpaired surrogate",
                            () -> store.upsertMessage(id, MessageInput.of("m\ud800", 1, Role.USER, "x"))),
                    new Case("agent id over the id limit", IllegalArgumentException.class, "agentId: must be at most 255",
                            () -> store.upsertTrace(TraceInput.of(NS, "new").withAgent(longId))),
                    new Case("null message list", IllegalArgumentException.class, "messages: must not be null",
                            () -> store.upsertMessagesBatch(id, null)),
                    new Case("null message in a batch", IllegalArgumentException.class, "messages[1]: must not be null",
                            () -> store.upsertMessagesBatch(id, Arrays.asList(ok, null))),
                    new Case("null single message", IllegalArgumentException.class, "message: must not be null",
                            () -> store.upsertMessage(id, null)),
                    new Case("batch over 1000 messages", IllegalArgumentException.class,
                            "messages: a batch must hold at most 1000 messages; got 1001",
                            () -> store.upsertMessagesBatch(id, messages("big", 0, 1001))),
                    new Case("text over the limit, after valid messages", IllegalArgumentException.class,
                            "messages[2].text: must be at most 10000 characters; got 10001",
                            () -> store.upsertMessagesBatch(id, List.of(ok, MessageInput.of("ok2", 2, Role.USER, "a"),
                                    MessageInput.of("big", 3, Role.USER, "x".repeat(MAX_TEXT + 1))))),
                    new Case("blank message id", IllegalArgumentException.class, "externalId: must not be blank",
                            () -> store.upsertMessage(id, MessageInput.of(" ", 1, Role.USER, "x"))),
                    new Case("message id over 255 characters", IllegalArgumentException.class,
                            "messages[0].externalId: must be at most 255",
                            () -> store.upsertMessage(id, MessageInput.of(longId, 1, Role.USER, "x"))),
                    new Case("null role", IllegalArgumentException.class, "role: must not be null",
                            () -> store.upsertMessage(id, MessageInput.of("r", 1, null, "x"))),
                    new Case("null text", IllegalArgumentException.class, "text: must not be null",
                            () -> store.upsertMessage(id, MessageInput.of("r", 1, Role.USER, null))),
                    new Case("malformed parts JSON", IllegalArgumentException.class,
                            "messages[0].partsJson: must be well-formed JSON",
                            () -> store.upsertMessage(id, ok.withPartsJson("[{\"type\":"))),
                    new Case("parts JSON that is not an array", IllegalArgumentException.class,
                            "messages[0].partsJson: must be a JSON array",
                            () -> store.upsertMessage(id, ok.withPartsJson("{\"type\":\"text\"}"))),
                    new Case("batch into an unknown trace", TraceNotFoundException.class, "trace 987654",
                            () -> store.upsertMessagesBatch(987_654, List.of(ok))),
                    new Case("empty batch into an unknown trace", TraceNotFoundException.class, "trace 987654",
                            () -> store.upsertMessagesBatch(987_654, List.of())),
                    new Case("single upsert into a deleted trace", TraceNotFoundException.class, "trace " + deleted,
                            () -> store.upsertMessage(deleted, ok)),
                    new Case("recount of an unknown trace", TraceNotFoundException.class, "trace 987654",
                            () -> store.recalculateMessageCount(987_654)),
                    new Case("trace page size 0", IllegalArgumentException.class, "limit: must be between 1 and 100; got 0",
                            () -> store.listTraces(TraceQuery.namespace(NS).limit(0))),
                    new Case("trace page size 101", IllegalArgumentException.class, "limit: must be between 1 and 100; got 101",
                            () -> store.listTraces(TraceQuery.namespace(NS).limit(101))),
                    new Case("message page size 0", IllegalArgumentException.class, "limit: must be between 1 and 1000",
                            () -> store.listMessages(id, null, 0)),
                    new Case("malformed trace cursor", IllegalArgumentException.class, "cursor: must be a cursor",
                            () -> store.listTraces(TraceQuery.namespace(NS).after("not a cursor!"))),
                    new Case("crafted trace cursor", IllegalArgumentException.class, "cursor:",
                            () -> store.listTraces(TraceQuery.namespace(NS).after(foreignCursor))),
                    new Case("malformed message cursor", IllegalArgumentException.class, "cursor: must be a cursor",
                            () -> store.listMessages(id, "bTE6Zm9v", 10)),
                    new Case("backfill batch size 0", IllegalArgumentException.class, "batchSize: must be between 1",
                            () -> store.backfillMessageCounts(0)),
                    new Case("negative token count", IllegalArgumentException.class, "outputTokens: must not be negative",
                            () -> store.upsertMessage(id, ok.withUsage(TokenUsage.of(1, -1)))),
                    new Case("absurd token count", IllegalArgumentException.class,
                            "usage.cacheReadTokens: must be at most 1000000000",
                            () -> store.upsertMessage(id, ok.withUsage(TokenUsage.of(1, 1).withCache(2_000_000_000L, 0)))),
                    new Case("negative tool calls", IllegalArgumentException.class, "toolCalls: must be between 0 and 10000",
                            () -> store.upsertMessage(id, ok.withToolCalls(-1))),
                    new Case("an expected cursor without a new one", IllegalArgumentException.class,
                            "newCursor: must not be null",
                            () -> store.appendMessages(id, List.of(ok), "line 3", null)),
                    new Case("a cursor over 1000 characters", IllegalArgumentException.class,
                            "newCursor: must be at most 1000 characters; got 1001",
                            () -> store.appendMessages(id, List.of(ok), null, "c".repeat(1001))),
                    new Case("an unpaired surrogate in a cursor", IllegalArgumentException.class,
                            "expectedCursor: must not contain an unpaired surrogate",
                            () -> store.appendMessages(id, List.of(ok), "line\ud800", "line 4")),
                    new Case("an append to a deleted trace", TraceNotFoundException.class, "trace " + deleted,
                            () -> store.appendMessages(deleted, List.of(ok), null, "line 1")));

            return cases.stream().map(c -> dynamicTest(c.name(), () -> {
                Snapshot before = snapshot(id);
                assertThatThrownBy(c.call()::execute).isInstanceOf(c.type()).hasMessageContaining(c.message());
                assertThat(snapshot(id)).as("state after: %s", c.name()).isEqualTo(before);
            }));
        }
    }

    // ------------------------------------------------------------------ hostile input

    @Nested
    @DisplayName("Under hostile input")
    class Hostile {
        /** Rounds of random calls; a seed other than the default is given with -Dtracestore.hostile.seed. */
        private static final int ROUNDS = 400;
        private final long seed = Long.getLong("tracestore.hostile.seed", 20261129L);

        @Test
        @DisplayName("every call with arbitrary strings and lists stores exactly what it was given, or fails naming"
                + " the problem with IllegalArgumentException or TraceStoreException and writes nothing")
        void randomCalls() {
            HostileInput input = new HostileInput(new Random(seed), MAX_TEXT);
            Map<String, TraceDetail> traces = new HashMap<>(); // by key, as last stored
            Map<Long, Map<String, Message>> messagesOf = new HashMap<>();
            int succeeded = 0;
            int rejected = 0;
            for (int round = 0; round < ROUNDS; round++) {
                String where = "round " + round + " of seed " + seed + " (rerun with -Dtracestore.hostile.seed=" + seed + ")";
                clock.advance(Duration.ofMillis(1));
                int op = input.nextInt(10);
                if (op < 3) {
                    // A trace with hostile attributes, in a known namespace or a hostile one.
                    String ns = input.pick(NS, "ns-b", null);
                    String ext = input.pick("s-1", "s-2", null);
                    TraceInput[] in = new TraceInput[1];
                    TraceDetail[] got = new TraceDetail[1];
                    Throwable thrown = catchThrowable(() -> {
                        in[0] = TraceInput.of(ns == null ? input.string() : ns, ext == null ? input.string() : ext)
                                .withTitle(input.optionalString()).withAgent(input.optionalString())
                                .withModel(input.optionalString()).withProject(input.optionalString())
                                .withVisibility(input.nextInt(4) == 0 ? null : Visibility.values()[input.nextInt(3)]);
                        got[0] = store.upsertTrace(in[0]);
                    });
                    TraceDetail old = in[0] == null ? null : traces.get(key(in[0].namespace(), in[0].externalId()));
                    if (thrown == null) {
                        assertThat(got[0]).as(where).extracting(TraceDetail::namespace, TraceDetail::externalId,
                                        TraceDetail::title, TraceDetail::agentId, TraceDetail::model,
                                        TraceDetail::projectName, TraceDetail::visibility, TraceDetail::messageCount)
                                .containsExactly(in[0].namespace(), in[0].externalId(),
                                        or(in[0].title(), old == null ? null : old.title()),
                                        or(in[0].agentId(), old == null ? null : old.agentId()),
                                        or(in[0].model(), old == null ? null : old.model()),
                                        or(in[0].projectName(), old == null ? null : old.projectName()),
                                        or(in[0].visibility(), old == null ? Visibility.PRIVATE : old.visibility()),
                                        old == null ? 0L : old.messageCount());
                        assertThat(store.findTrace(in[0].namespace(), in[0].externalId())).as(where).contains(got[0]);
                        assertThat(store.getTrace(got[0].id())).as(where).contains(got[0]);
                        traces.put(key(in[0].namespace(), in[0].externalId()), got[0]);
                        messagesOf.putIfAbsent(got[0].id(), new HashMap<>());
                        succeeded++;
                    } else {
                        assertNamedFailure(thrown, where);
                        if (in[0] != null) {
                            TraceInput key = in[0];
                            Throwable lookup = catchThrowable(() -> assertThat(store.findTrace(key.namespace(),
                                    key.externalId())).as("%s: a failed upsert writes nothing", where)
                                    .isEqualTo(Optional.ofNullable(old)));
                            if (lookup != null && !(lookup instanceof IllegalArgumentException)) {
                                throw new AssertionError(where, lookup);
                            }
                        }
                        rejected++;
                    }
                } else if (op < 8) {
                    // A batch of hostile messages, or a hostile list, into a known or an unknown trace.
                    List<Long> ids = new ArrayList<>(messagesOf.keySet());
                    Collections.sort(ids);
                    long traceId = ids.isEmpty() || input.nextInt(12) == 0 ? 987_654 : ids.get(input.nextInt(ids.size()));
                    boolean single = input.nextInt(5) == 0;
                    List<MessageInput> batch = new ArrayList<>();
                    Throwable thrown = catchThrowable(() -> {
                        if (single) {
                            batch.add(input.message());
                            store.upsertMessage(traceId, batch.get(0));
                        } else {
                            input.messages(batch);
                            store.upsertMessagesBatch(traceId, batch);
                        }
                    });
                    Map<String, Message> expected = messagesOf.get(traceId);
                    TraceDetail before = expected == null ? null
                            : traces.values().stream().filter(t -> t.id() == traceId).findFirst().orElseThrow();
                    if (thrown == null) {
                        assertThat(expected).as("%s: a batch into an unknown trace must fail", where).isNotNull();
                        for (MessageInput m : batch) { // the last of equal ids wins
                            Instant created = m.createdAt() == null ? clock.instant() : m.createdAt();
                            expected.put(m.externalId(), new Message(m.externalId(), m.sequence(), m.role(), m.text(),
                                    m.model(), created, m.partsJson()));
                        }
                        long added = batch.stream().map(MessageInput::externalId).distinct().count();
                        TraceDetail after = store.getTrace(traceId).orElseThrow();
                        assertThat(after.messageCount()).as("%s: count", where).isEqualTo(before.messageCount() + added);
                        traces.put(key(after.namespace(), after.externalId()), after);
                        succeeded++;
                    } else {
                        assertNamedFailure(thrown, where);
                        if (before != null) {
                            assertThat(store.getTrace(traceId).orElseThrow().messageCount())
                                    .as("%s: a failed batch leaves the count", where).isEqualTo(before.messageCount());
                        }
                        rejected++;
                    }
                    if (expected != null) {
                        assertThat(byId(rows(traceId))).as("%s: the stored messages", where).isEqualTo(expected);
                    }
                } else {
                    // Reads with hostile keys and filters: empty or IllegalArgumentException, never another namespace.
                    String ns = input.pick(NS, "ns-b", null);
                    String namespace = ns == null ? input.string() : ns;
                    String agent = input.optionalString();
                    Throwable thrown = catchThrowable(() -> {
                        Optional<TraceDetail> found = store.findTrace(namespace, input.string());
                        found.ifPresent(t -> assertThat(traces).containsValue(t));
                        for (TraceSummary t : allTraces(TraceQuery.namespace(namespace).withAgent(agent))) {
                            assertThat(t.namespace()).isEqualTo(namespace);
                            assertThat(t.agentId()).isEqualTo(agent == null ? t.agentId() : agent);
                        }
                        store.listTraces(TraceQuery.namespace(namespace).after(input.string()));
                    });
                    if (thrown instanceof AssertionError e) {
                        throw new AssertionError(where, e);
                    }
                    if (thrown != null) {
                        assertNamedFailure(thrown, where);
                    }
                }
            }
            assertThat(succeeded).as("calls that succeeded").isGreaterThan(ROUNDS / 10);
            assertThat(rejected).as("calls that were rejected").isGreaterThan(ROUNDS / 10);
            for (TraceDetail t : traces.values()) {
                assertThat(store.getTrace(t.id())).as("trace %d at the end", t.id()).contains(t);
                assertThat(byId(rows(t.id()))).as("messages of trace %d at the end", t.id()).isEqualTo(messagesOf.get(t.id()));
            }
        }

        private void assertNamedFailure(Throwable thrown, String where) {
            if (thrown instanceof AssertionError e) {
                throw new AssertionError(where, e);
            }
            if (thrown instanceof StorageException) {
                // Every rejection is the core's, from the documented rules: a storage that
                // cannot store what the core accepted is a bug, not a rejection.
                throw new AssertionError(where + ": the storage failed on input the core accepted: " + thrown, thrown);
            }
            if (!(thrown instanceof IllegalArgumentException) && !(thrown instanceof TraceStoreException)) {
                throw new AssertionError(where + ": expected IllegalArgumentException or TraceStoreException, got "
                        + thrown, thrown);
            }
            assertThat(thrown.getMessage()).as("%s: the message of %s", where, thrown).isNotBlank();
            if (thrown instanceof IllegalArgumentException) {
                assertThat(thrown.getMessage()).as("%s: an IllegalArgumentException names the field and the rule", where)
                        .matches("(?s)\\S.*?: .*must.*");
            }
        }

        private static String key(String namespace, String externalId) {
            return namespace + '\u0000' + externalId;
        }

        private static <T> T or(T value, T fallback) {
            return value != null ? value : fallback;
        }

        private static Map<String, Message> byId(List<Message> rows) {
            Map<String, Message> map = new HashMap<>();
            for (Message m : rows) {
                assertThat(map.put(m.externalId(), m)).as("message id %s listed twice", m.externalId()).isNull();
            }
            return map;
        }
    }

    private record Snapshot(TraceDetail trace, List<Message> rows, List<TraceSummary> namespace) {
    }

    private Snapshot snapshot(long traceId) {
        return new Snapshot(store.getTrace(traceId).orElseThrow(), rows(traceId),
                allTraces(TraceQuery.namespace(NS).limit(100)));
    }
}
