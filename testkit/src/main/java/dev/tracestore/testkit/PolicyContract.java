package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import dev.tracestore.BatchResult;
import dev.tracestore.DeleteResult;
import dev.tracestore.DeletionSummary;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.spi.MessagePosition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestReporter;

/**
 * The contract's tests of the counting policy, reads and deletion, one caller at a time.
 * Part of {@link TraceStorageContract}, which an adapter extends.
 */
public abstract class PolicyContract extends ContractFixture {
    // ------------------------------------------------------------------ traces

    @Nested
    @DisplayName("Upserting a trace")
    class Traces {

        @Test
        @DisplayName("creates it with message count 0, the given attributes and the clock's instants")
        void create() {
            TraceDetail t = store.upsertTrace(TraceInput.of(NS, "s-1").withTitle("Fix flaky date test")
                    .withAgent("claude-code").withModel("claude-opus-4-5").withProject("tracestore"));

            assertThat(t.id()).isPositive();
            assertThat(t.messageCount()).isZero();
            assertThat(t).extracting(TraceDetail::namespace, TraceDetail::externalId, TraceDetail::title,
                            TraceDetail::agentId, TraceDetail::model, TraceDetail::projectName, TraceDetail::visibility)
                    .containsExactly(NS, "s-1", "Fix flaky date test", "claude-code", "claude-opus-4-5", "tracestore",
                            Visibility.PRIVATE);
            assertThat(t.createdAt()).isEqualTo(clock.instant());
            assertThat(t.updatedAt()).isEqualTo(clock.instant());
            assertThat(store.getTrace(t.id())).contains(t);
            assertThat(store.findTrace(NS, "s-1")).contains(t);
        }

        @Test
        @DisplayName("updates the given attributes, keeps the others, the id, createdAt and the count")
        void update() {
            TraceDetail first = trace("s-1");
            store.upsertMessagesBatch(first.id(), messages("m", 0, 3));
            clock.advance(Duration.ofSeconds(5));

            TraceDetail second = store.upsertTrace(TraceInput.of(NS, "s-1").withTitle("Renamed")
                    .withVisibility(Visibility.UNLISTED));

            assertThat(second.id()).isEqualTo(first.id());
            assertThat(second.title()).isEqualTo("Renamed");
            assertThat(second.visibility()).isEqualTo(Visibility.UNLISTED);
            assertThat(second.model()).isEqualTo(first.model());
            assertThat(second.agentId()).isEqualTo(first.agentId());
            assertThat(second.createdAt()).isEqualTo(first.createdAt());
            assertThat(second.updatedAt()).isEqualTo(clock.instant());
            assertThat(second.messageCount()).isEqualTo(3);
        }

        @Test
        @DisplayName("uses a given created instant, at microsecond precision")
        void givenCreatedAt() {
            Instant started = Instant.parse("2025-01-02T03:04:05.123456789Z");
            TraceDetail t = store.upsertTrace(TraceInput.of(NS, "s-1").withCreatedAt(started));
            assertThat(t.createdAt()).isEqualTo(Instant.parse("2025-01-02T03:04:05.123456Z"));
        }

        @Test
        @DisplayName("keys traces by namespace and external id")
        void keyedByNamespace() {
            TraceDetail a = store.upsertTrace(TraceInput.of("ns-a", "same"));
            TraceDetail b = store.upsertTrace(TraceInput.of("ns-b", "same"));
            assertThat(a.id()).isNotEqualTo(b.id());
            assertThat(store.findTrace("ns-a", "same").orElseThrow().id()).isEqualTo(a.id());
            assertThat(store.findTrace("ns-c", "same")).isEmpty();
            assertThat(store.getTrace(Long.MAX_VALUE)).isEmpty();
        }

        @Test
        @DisplayName("creates one trace when 8 threads upsert the same key at once")
        void concurrentCreate() throws Exception {
            Set<Long> ids = Collections.synchronizedSet(new HashSet<>());
            concurrently(8, t -> {
                for (int round = 0; round < 50; round++) {
                    ids.add(store.upsertTrace(TraceInput.of(NS, "race-" + round)).id());
                }
            });
            assertThat(ids).hasSize(50);
            assertThat(allTraces(TraceQuery.namespace(NS).limit(100))).hasSize(50);
        }
    }

    // ------------------------------------------------------------------ counting

    @Nested
    @DisplayName("Counting messages optimistically")
    class Counting {

        @Test
        @DisplayName("a batch adds its number of distinct messages and stores them")
        void batchAddsDistinct() {
            long id = trace("s-1").id();
            BatchResult r = store.upsertMessagesBatch(id, messages("m", 0, 25));

            assertThat(r).isEqualTo(new BatchResult(id, 25, 25));
            assertThat(count(id)).isEqualTo(25);
            assertThat(rows(id)).hasSize(25);
        }

        @Test
        @DisplayName("duplicates inside one batch collapse to the last and count once")
        void duplicatesCollapse() {
            long id = trace("s-1").id();
            List<MessageInput> batch = List.of(
                    MessageInput.of("a", 1, Role.USER, "first"),
                    MessageInput.of("b", 2, Role.ASSISTANT, "only"),
                    MessageInput.of("a", 3, Role.USER, "last"));

            BatchResult r = store.upsertMessagesBatch(id, batch);

            assertThat(r.countIncrement()).isEqualTo(2);
            assertThat(r.collapsedDuplicates()).isEqualTo(1);
            assertThat(count(id)).isEqualTo(2);
            assertThat(rows(id)).extracting(Message::externalId, Message::text)
                    .containsExactly(tuple("b", "only"),
                            tuple("a", "last"));
        }

        @Test
        @DisplayName("a single upsert adds one")
        void singleAddsOne() {
            long id = trace("s-1").id();
            store.upsertMessage(id, MessageInput.of("a", 1, Role.USER, "hi"));
            store.upsertMessage(id, MessageInput.of("b", 2, Role.ASSISTANT, "hello"));
            assertThat(count(id)).isEqualTo(2);
        }

        @Test
        @DisplayName("a re-sent batch drifts upward, and a recount repairs it and reports the drift")
        void resentBatchDriftsAndRecountRepairs() {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 10));
            store.upsertMessagesBatch(id, messages("m", 5, 10)); // 5 re-sent, 5 new
            store.upsertMessage(id, MessageInput.of("m-0", 0, Role.USER, "edited"));

            assertThat(count(id)).isEqualTo(21);
            assertThat(rows(id)).hasSize(15);

            Recount fixed = store.recalculateMessageCount(id);
            assertThat(fixed).extracting(Recount::traceId, Recount::count, Recount::drift, Recount::wasUnknown)
                    .containsExactly(id, 15L, 6L, false);
            assertThat(count(id)).isEqualTo(15);
            assertThat(store.recalculateMessageCount(id).drift()).isZero();
            assertThat(rows(id).get(0).text()).isEqualTo("edited");
        }

        @Test
        @DisplayName("an empty batch writes nothing, not even updatedAt")
        void emptyBatch() {
            TraceDetail before = trace("s-1");
            clock.advance(Duration.ofMinutes(1));

            assertThat(store.upsertMessagesBatch(before.id(), List.of())).isEqualTo(new BatchResult(before.id(), 0, 0));
            assertThat(store.getTrace(before.id())).contains(before);
        }

        @Test
        @DisplayName("a batch moves updatedAt to the clock's instant")
        void batchTouchesTrace() {
            long id = trace("s-1").id();
            clock.advance(Duration.ofMinutes(1));
            store.upsertMessagesBatch(id, messages("m", 0, 2));
            assertThat(store.getTrace(id).orElseThrow().updatedAt()).isEqualTo(clock.instant());
        }

        @Test
        @DisplayName("stores every message attribute faithfully, including non-ASCII text")
        void roundTrip() {
            long id = trace("s-1").id();
            Instant at = Instant.parse("2026-01-02T03:04:05.678901Z");
            String text = "naïve 日本語 עברית 🚀 \"quotes\" 'apostrophes' <b>html</b> \\ backslash\nnew line\ttab";
            String parts = "[{\"type\":\"text\",\"text\":\"hi\"},{\"type\":\"tool_use\",\"name\":\"Bash\","
                    + "\"input\":{\"command\":\"ls -la\"}}]";
            MessageInput m = MessageInput.of("msg-ü-1", -7, Role.TOOL, text).withModel("claude-opus-4-5")
                    .withCreatedAt(at).withPartsJson(parts);

            store.upsertMessage(id, m);

            assertThat(rows(id)).containsExactly(
                    new Message("msg-ü-1", -7, Role.TOOL, text, "claude-opus-4-5", at, parts));
        }

        @Test
        @DisplayName("a message without a created instant gets the clock's")
        void defaultCreatedAt() {
            long id = trace("s-1").id();
            store.upsertMessage(id, MessageInput.of("a", 1, Role.USER, ""));
            assertThat(rows(id).get(0).createdAt()).isEqualTo(clock.instant());
            assertThat(rows(id).get(0).text()).isEmpty();
        }

        @Test
        @DisplayName("a list and a detail of the same trace show the same count, drift included")
        void listAndDetailAgree() {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 4));
            store.upsertMessagesBatch(id, messages("m", 0, 4));

            TraceSummary listed = store.listTraces(TraceQuery.namespace(NS)).items().get(0);
            assertThat(listed.messageCount()).isEqualTo(8).isEqualTo(count(id));
            assertThat(listed).isEqualTo(store.getTrace(id).orElseThrow().toSummary());
        }
    }

    // ------------------------------------------------------------------ unknown counts

    @Nested
    @DisplayName("A trace whose stored count is unknown")
    class UnknownCounts {

        @Test
        @DisplayName("still shows its exact count in a detail and a list")
        void computedOnRead() throws Exception {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 4));
            store.upsertMessagesBatch(id, messages("m", 0, 4)); // drift: cached 8, rows 4
            forgetMessageCount(storage, id);

            assertThat(count(id)).isEqualTo(4);
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items().get(0).messageCount()).isEqualTo(4);
        }

        @Test
        @DisplayName("stays unknown under increments, rather than becoming a wrong number")
        void incrementsKeepNull() throws Exception {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 4));
            forgetMessageCount(storage, id);

            store.upsertMessagesBatch(id, messages("m", 4, 3));
            store.upsertMessage(id, MessageInput.of("x", 99, Role.USER, "x"));

            assertThat(storage.findTrace(id).orElseThrow().messageCount()).isNull();
            assertThat(count(id)).isEqualTo(8);
        }

        @Test
        @DisplayName("is filled by the backfill, resumably, which reports how many it fixed")
        void backfill() throws Exception {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                long id = trace("s-" + i).id();
                store.upsertMessagesBatch(id, messages("m", 0, i + 1));
                ids.add(id);
            }
            forgetMessageCount(storage, ids.get(0));
            forgetMessageCount(storage, ids.get(2));
            forgetMessageCount(storage, ids.get(4));

            var result = store.backfillMessageCounts(2);

            assertThat(result.tracesFixed()).isEqualTo(3);
            assertThat(result.batches()).isEqualTo(2);
            for (int i = 0; i < 5; i++) {
                assertThat(storage.findTrace(ids.get(i)).orElseThrow().messageCount()).isEqualTo(i + 1L);
            }
            assertThat(store.backfillMessageCounts(2).tracesFixed()).isZero();
        }

        @Test
        @DisplayName("is recounted with no drift reported and marked as having been unknown")
        void recountUnknown() throws Exception {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 3));
            forgetMessageCount(storage, id);

            assertThat(store.recalculateMessageCount(id)).extracting(Recount::traceId, Recount::count, Recount::drift,
                    Recount::wasUnknown).containsExactly(id, 3L, 0L, true);
            assertThat(storage.findTrace(id).orElseThrow().messageCount()).isEqualTo(3);
        }
    }

    // ------------------------------------------------------------------ reads

    @Nested
    @DisplayName("Listing")
    class Reading {

        @Test
        @DisplayName("lists traces most recently updated first; a batch moves its trace to the top")
        void recentFirst() {
            long a = trace("a").id();
            clock.advance(Duration.ofSeconds(1));
            long b = trace("b").id();
            clock.advance(Duration.ofSeconds(1));
            long c = trace("c").id();
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items()).extracting(TraceSummary::id)
                    .containsExactly(c, b, a);

            clock.advance(Duration.ofSeconds(1));
            store.upsertMessagesBatch(a, messages("m", 0, 1));
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items()).extracting(TraceSummary::id)
                    .containsExactly(a, c, b);
        }

        @Test
        @DisplayName("pages through every trace exactly once, also when updatedAt ties")
        void pagesTraces() {
            Set<Long> created = new HashSet<>();
            for (int i = 0; i < 23; i++) {
                if (i % 4 == 0) {
                    clock.advance(Duration.ofMillis(1)); // groups of four share an updatedAt
                }
                created.add(trace("s-" + i).id());
            }
            List<TraceSummary> all = allTraces(TraceQuery.namespace(NS).limit(5));

            assertThat(all).extracting(TraceSummary::id).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(created);
            assertThat(all).isSortedAccordingTo((x, y) -> {
                int byTime = y.updatedAt().compareTo(x.updatedAt());
                return byTime != 0 ? byTime : Long.compare(y.id(), x.id());
            });
            assertThat(store.listTraces(TraceQuery.namespace(NS).limit(23)).hasMore()).isFalse();
        }

        @Test
        @DisplayName("filters traces by agent and by visibility")
        void filters() {
            store.upsertTrace(TraceInput.of(NS, "a").withAgent("claude-code").withVisibility(Visibility.PUBLIC));
            store.upsertTrace(TraceInput.of(NS, "b").withAgent("codex").withVisibility(Visibility.PUBLIC));
            store.upsertTrace(TraceInput.of(NS, "c").withAgent("codex").withVisibility(Visibility.PRIVATE));

            assertThat(allTraces(TraceQuery.namespace(NS).withAgent("codex"))).extracting(TraceSummary::externalId)
                    .containsExactlyInAnyOrder("b", "c");
            assertThat(allTraces(TraceQuery.namespace(NS).withVisibility(Visibility.PUBLIC)))
                    .extracting(TraceSummary::externalId).containsExactlyInAnyOrder("a", "b");
            assertThat(allTraces(TraceQuery.namespace(NS).withAgent("codex").withVisibility(Visibility.PRIVATE)))
                    .extracting(TraceSummary::externalId).containsExactly("c");
        }

        @Test
        @DisplayName("never crosses namespaces, and rejects a cursor from another query")
        void namespacesIsolated() {
            for (int i = 0; i < 3; i++) {
                store.upsertTrace(TraceInput.of("ns-a", "s-" + i));
                store.upsertTrace(TraceInput.of("ns-b", "s-" + i));
            }
            Page<TraceSummary> first = store.listTraces(TraceQuery.namespace("ns-a").limit(2));
            assertThat(first.items()).allSatisfy(t -> assertThat(t.namespace()).isEqualTo("ns-a"));
            assertThat(allTraces(TraceQuery.namespace("ns-b").limit(1))).hasSize(3)
                    .allSatisfy(t -> assertThat(t.namespace()).isEqualTo("ns-b"));

            assertThatThrownBy(() -> store.listTraces(TraceQuery.namespace("ns-b").limit(2).after(first.nextCursor())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
            assertThatThrownBy(() -> store.listTraces(TraceQuery.namespace("ns-a").withAgent("codex")
                    .after(first.nextCursor())))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
        }

        @Test
        @DisplayName("lists messages in conversation order, page by page")
        void pagesMessages() {
            long id = trace("s-1").id();
            List<MessageInput> batch = new ArrayList<>(messages("m", 0, 30));
            batch.add(MessageInput.of("tie-b", 10, Role.USER, "same sequence"));
            batch.add(MessageInput.of("tie-a", 10, Role.USER, "same sequence"));
            Collections.shuffle(batch, new Random(7));
            store.upsertMessagesBatch(id, batch);

            List<Message> all = new ArrayList<>();
            String cursor = null;
            int pages = 0;
            do {
                Page<Message> page = store.listMessages(id, cursor, 4);
                assertThat(page.items()).hasSizeLessThanOrEqualTo(4);
                all.addAll(page.items());
                cursor = page.nextCursor();
                pages++;
            } while (cursor != null);

            assertThat(pages).isEqualTo(8);
            assertThat(all).hasSize(32).extracting(Message::externalId).doesNotHaveDuplicates();
            assertThat(all).isSortedAccordingTo(MessagePosition.ORDER);
            assertThat(all.subList(10, 13)).extracting(Message::externalId).containsExactly("m-10", "tie-a", "tie-b");
        }

        @Test
        @DisplayName("rejects a message cursor from another trace")
        void messageCursorBoundToTrace() {
            long a = trace("a").id();
            long b = trace("b").id();
            store.upsertMessagesBatch(a, messages("m", 0, 3));
            store.upsertMessagesBatch(b, messages("m", 0, 3));
            String cursor = store.listMessages(a, null, 1).nextCursor();

            assertThatThrownBy(() -> store.listMessages(b, cursor, 1))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cursor");
            assertThat(store.listMessages(a, cursor, 5).items()).extracting(Message::externalId)
                    .containsExactly("m-1", "m-2");
        }
    }

    // ------------------------------------------------------------------ deletion

    @Nested
    @DisplayName("Deleting")
    class Deleting {

        @Test
        @DisplayName("removes the trace and all its messages, in chunks, and reports how many")
        void deletes() {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 50));
            store.upsertMessagesBatch(id, messages("m", 0, 10)); // drift: no decrement bookkeeping needed

            assertThat(store.deleteTrace(id)).isEqualTo(new DeleteResult(id, true, 50));

            assertThat(store.getTrace(id)).isEmpty();
            assertThat(store.findTrace(NS, "s-1")).isEmpty();
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items()).isEmpty();
            assertThat(storage.traceIds(NS, 0, 10)).isEmpty();
            assertThat(storage.deletingTraces(10)).isEmpty();
            assertThatThrownBy(() -> storage.countMessages(id)).isInstanceOf(TraceNotFoundException.class);
            assertThat(storedMessages(storage, id)).as("messages of the deleted trace still stored").isZero();
        }

        @Test
        @DisplayName("frees the key: upserting it again creates a new, empty trace")
        void keyReusable() {
            long old = trace("s-1").id();
            store.upsertMessagesBatch(old, messages("m", 0, 5));
            store.deleteTrace(old);

            TraceDetail again = trace("s-1");
            assertThat(again.id()).isNotEqualTo(old);
            assertThat(again.messageCount()).isZero();
            assertThat(rows(again.id())).isEmpty();
        }

        @Test
        @DisplayName("reports a trace that does not exist without failing")
        void unknown() {
            assertThat(store.deleteTrace(123_456)).isEqualTo(new DeleteResult(123_456, false, 0));
        }

        @Test
        @DisplayName("refuses every later write, recount and read of the trace")
        void deletedIsNotFound() {
            long id = trace("s-1").id();
            store.upsertMessagesBatch(id, messages("m", 0, 3));
            store.deleteTrace(id);

            assertThatThrownBy(() -> store.upsertMessagesBatch(id, messages("m", 0, 1)))
                    .isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("x", 1, Role.USER, "x")))
                    .isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.recalculateMessageCount(id)).isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.listMessages(id, null, 10)).isInstanceOf(TraceNotFoundException.class);
        }

        @Test
        @DisplayName("hides an interrupted deletion, and resumeDeletions finishes it")
        void resumes(TestReporter reporter) {
            long id = trace("s-1").id();
            long kept = trace("s-2").id();
            store.upsertMessagesBatch(id, messages("m", 0, 40));
            store.upsertMessagesBatch(kept, messages("m", 0, 3));
            // A process that died after tombstoning and one chunk:
            assertThat(storage.markDeleting(id)).isTrue();
            if (capabilities().chunkedDeletion()) {
                assertThat(storage.deleteMessages(id, CHUNK)).isEqualTo(CHUNK);
            } else {
                // The weaker form of property 5: every message goes in the first call, one constant-size write.
                reporter.publishEntry("weaker property 5", "the first deletion call removes all 40 messages at once");
                assertThat(storage.deleteMessages(id, CHUNK)).as("all messages at once").isEqualTo(40);
            }

            assertThat(store.getTrace(id)).isEmpty();
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items()).extracting(TraceSummary::id)
                    .containsExactly(kept);
            assertThatThrownBy(() -> store.upsertMessagesBatch(id, messages("n", 0, 1)))
                    .isInstanceOf(TraceNotFoundException.class);
            assertThatThrownBy(() -> store.upsertTrace(TraceInput.of(NS, "s-1")))
                    .isInstanceOf(TraceNotFoundException.class).hasMessageContaining("being deleted");

            assertThat(store.resumeDeletions())
                    .isEqualTo(new DeletionSummary(1, capabilities().chunkedDeletion() ? 40 - CHUNK : 0));

            assertThat(storage.deletingTraces(10)).isEmpty();
            assertThat(storage.traceIds(NS, 0, 10)).containsExactly(kept);
            assertThat(count(kept)).isEqualTo(3);
            assertThat(store.resumeDeletions()).isEqualTo(new DeletionSummary(0, 0));
        }

        @Test
        @DisplayName("deletes every trace of a namespace and nothing of another")
        void namespace() {
            for (int i = 0; i < 5; i++) {
                store.upsertMessagesBatch(store.upsertTrace(TraceInput.of("gone", "s-" + i)).id(), messages("m", 0, i));
            }
            long kept = store.upsertTrace(TraceInput.of("kept", "s-0")).id();
            store.upsertMessagesBatch(kept, messages("m", 0, 2));

            assertThat(store.deleteTracesInNamespace("gone")).isEqualTo(new DeletionSummary(5, 0 + 1 + 2 + 3 + 4));

            assertThat(storage.traceIds("gone", 0, 10)).isEmpty();
            assertThat(count(kept)).isEqualTo(2);
        }
    }

}
