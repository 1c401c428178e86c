package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.cql.TraceEvent;
import dev.tracestore.DeleteResult;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * What the Cassandra storage does beyond the contract kit: its schema and migration, its
 * settings, the statements it runs, its limits, how it repairs what races leave, and how a
 * deletion fences off a late writer. Its recounts under exact interleavings and its totals are
 * {@link CassandraRecountTest}'s.
 */
@DisplayName("The Cassandra storage")
class CassandraTraceStorageTest extends CassandraStorageFixture {
    // ------------------------------------------------------------------ schema

    @Nested
    @DisplayName("Migrating")
    class Migrating {

        @Test
        @DisplayName("applies nothing to a keyspace that is up to date")
        void upToDate() {
            assertThat(storage(session).migrate()).isZero();
        }

        @Test
        @DisplayName("creates every table once when two processes migrate a new keyspace at the same moment")
        void concurrentMigrations() throws Exception {
            String keyspace = "tracestore_migrating";
            session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(WAIT));
            session.execute(SimpleStatement.newInstance("CREATE KEYSPACE " + keyspace
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(WAIT));
            try (CqlSession first = TestCassandra.connect(); CqlSession second = TestCassandra.connect()) {
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<Integer> a = inThread(() -> {
                    together.await();
                    return CassandraTraceStorage.create(first, keyspace).migrate();
                });
                CompletableFuture<Integer> b = inThread(() -> {
                    together.await();
                    return CassandraTraceStorage.create(second, keyspace).migrate();
                });
                int applied = a.get(2, TimeUnit.MINUTES) + b.get(2, TimeUnit.MINUTES);

                assertThat(applied).as("each of the three versions is recorded by exactly one of them").isEqualTo(3);
                List<String> tables = new ArrayList<>();
                for (Row r : session.execute("SELECT table_name FROM system_schema.tables WHERE keyspace_name = ?", keyspace)) {
                    tables.add(r.getString(0));
                }
                assertThat(tables).containsExactlyInAnyOrder("traces", "trace_keys", "trace_counts", "trace_ids",
                        "traces_by_namespace", "message_keys", "messages", "pending_deletions", "unknown_counts",
                        "id_blocks", "upgrade_scans", "share_keys", "schema_history", "schema_lock");
                assertThat(first.checkSchemaAgreement()).isTrue();
                TraceStore store = store(CassandraTraceStorage.create(second, keyspace));
                long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
                store.upsertMessagesBatch(id, messages("m", 0, 3));
                assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(3);
            } finally {
                session.execute(SimpleStatement.newInstance("DROP KEYSPACE IF EXISTS " + keyspace).setTimeout(WAIT));
            }
        }

        @Test
        @DisplayName("refuses a keyspace that does not exist, naming it, rather than choosing its replication")
        void missingKeyspace() {
            assertThatThrownBy(() -> CassandraTraceStorage.create(session, "no_such_keyspace").migrate())
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("keyspace no_such_keyspace does not exist");
        }

        @Test
        @DisplayName("splits the shipped script into its statements, with the keyspace filled in")
        void script() {
            List<String> statements = Migrator.statements("-- a comment\nCREATE TABLE IF NOT EXISTS ${keyspace}.a (\n"
                    + "  x int PRIMARY KEY\n);\n\nCREATE TABLE IF NOT EXISTS ${keyspace}.b (y int PRIMARY KEY) WITH"
                    + " gc_grace_seconds = 1;\n", "ks");
            assertThat(statements).containsExactly("CREATE TABLE IF NOT EXISTS ks.a (\n  x int PRIMARY KEY\n)",
                    "CREATE TABLE IF NOT EXISTS ks.b (y int PRIMARY KEY) WITH gc_grace_seconds = 1");
        }
    }

    // ------------------------------------------------------------------ settings

    @Nested
    @DisplayName("Building")
    class Building {

        @Test
        @DisplayName("refuses each invalid setting, naming it and the value")
        void invalidSettings() {
            assertThatThrownBy(() -> CassandraTraceStorage.builder(null).keyspace(KS).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessage("session: must not be null");
            assertThatThrownBy(() -> CassandraTraceStorage.create(session, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyspace: must be").hasMessageEndingWith("got null");
            assertThatThrownBy(() -> CassandraTraceStorage.create(session, "Trace-Store"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageEndingWith("got \"Trace-Store\"");
            assertThatThrownBy(() -> CassandraTraceStorage.create(session, "k".repeat(49)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("keyspace: must be");
            assertThatThrownBy(() -> CassandraTraceStorage.builder(session).keyspace(KS)
                    .consistency(DefaultConsistencyLevel.SERIAL).build())
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("consistency: must be a non-serial")
                    .hasMessageEndingWith("got SERIAL");
            assertThatThrownBy(() -> CassandraTraceStorage.builder(session).keyspace(KS)
                    .serialConsistency(DefaultConsistencyLevel.QUORUM).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("serialConsistency: must be SERIAL or LOCAL_SERIAL; got QUORUM");
            assertThatThrownBy(() -> CassandraTraceStorage.builder(session).keyspace(KS).maxMessagesPerTrace(0).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxMessagesPerTrace: must be between 1 and 10000000; got 0");
            assertThatThrownBy(() -> CassandraTraceStorage.builder(session).keyspace(KS).maxBatchBytes(1023).build())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("maxBatchBytes: must be between 1024 and 268435456; got 1023");
        }

        @Test
        @DisplayName("defaults to LOCAL_QUORUM")
        void defaults() {
            CassandraTraceStorage storage = CassandraTraceStorage.create(session, KS);
            assertThat(storage.consistency()).isEqualTo(DefaultConsistencyLevel.LOCAL_QUORUM);
            assertThat(storage.keyspace()).isEqualTo(KS);
        }
    }

    // ------------------------------------------------------------------ statements

    @Nested
    @DisplayName("Running statements")
    class Running {

        @Test
        @DisplayName("runs every statement at the configured consistency, marks all but the counter increment"
                + " idempotent, and every lightweight transaction serial")
        void consistencyAndIdempotence() {
            List<Statement<?>> ran = new ArrayList<>();
            CassandraTraceStorage storage = CassandraTraceStorage.builder(InterceptingSession.recording(session, ran))
                    .keyspace(KS).consistency(DefaultConsistencyLevel.ONE).build();
            TraceStore store = store(storage);
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, messages("m", 0, 5));
            store.upsertTrace(TraceInput.of(NS, "s-1").withTitle("renamed"));
            store.listTraces(TraceQuery.namespace(NS));
            store.listMessages(id, null, 10);
            store.recalculateMessageCount(id);
            store.deleteTrace(id);

            assertThat(ran).isNotEmpty().allSatisfy(statement -> {
                String cql = Statements.cql(statement);
                boolean serialRead = statement.getConsistencyLevel() != null && statement.getConsistencyLevel().isSerial();
                if (!serialRead) {
                    assertThat(statement.getConsistencyLevel()).as(cql).isEqualTo(DefaultConsistencyLevel.ONE);
                }
                boolean increment = cql.contains("message_count = message_count +");
                boolean idBlock = cql.contains("id_blocks") && cql.contains(" IF ");
                assertThat(statement.isIdempotent()).as(cql).isEqualTo(!increment && !idBlock);
                if (cql.contains(" IF ")) {
                    assertThat(statement.getSerialConsistencyLevel()).as(cql)
                            .isEqualTo(idBlock ? DefaultConsistencyLevel.SERIAL : DefaultConsistencyLevel.LOCAL_SERIAL);
                }
            });
            assertThat(ran).filteredOn(s -> Statements.runs(s, "message_count = message_count +")).hasSize(1);
        }

        @Test
        @DisplayName("writes a batch's messages as one unlogged batch into one partition, then the count, last and alone")
        void batchThenCount() {
            List<Statement<?>> ran = new ArrayList<>();
            TraceStore store = store(storage(InterceptingSession.recording(session, ran)));
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            ran.clear();

            store.upsertMessagesBatch(id, messages("m", 0, 50));

            List<Statement<?>> writes = ran.stream().filter(s -> !Statements.cql(s).startsWith("SELECT")).toList();
            BatchStatement messagesBatch = (BatchStatement) writes.stream()
                    .filter(s -> Statements.runs(s, ".messages (")).findFirst().orElseThrow();
            assertThat(messagesBatch.getBatchType()).isEqualTo(BatchType.UNLOGGED);
            // A key and a row per message, the trace's new position and the deletion of its previous one.
            assertThat(messagesBatch.size()).isEqualTo(2 * 50 + 2);
            for (BatchableStatement<?> child : messagesBatch) {
                assertThat(((BoundStatement) child).getLong(0)).as("partition key of %s", Statements.cql(child))
                        .isEqualTo(id);
            }
            assertThat(Statements.cql(writes.get(writes.size() - 1))).contains("message_count = message_count + ?");
            assertThat(writes.indexOf(messagesBatch)).isLessThan(writes.size() - 1);
        }
    }

    // ------------------------------------------------------------------ limits

    @Nested
    @DisplayName("Limits")
    class Limits {

        @Test
        @DisplayName("refuses a batch that would take a trace past maxMessagesPerTrace, writing nothing; a recount"
                + " of a drifted count makes room again")
        void messagesPerTrace() {
            TraceStore store = store(CassandraTraceStorage.builder(session).keyspace(KS).maxMessagesPerTrace(10).build());
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, messages("m", 0, 6));
            store.upsertMessagesBatch(id, messages("m", 0, 4)); // re-sent: count 10, rows 6

            assertThatThrownBy(() -> store.upsertMessagesBatch(id, messages("n", 0, 3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("messages: a trace must hold at most 10 messages in the Cassandra storage")
                    .hasMessageContaining("trace " + id + " counts 10 and the batch adds 3");
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(10);
            assertThat(store.listMessages(id, null, 100).items()).hasSize(6);

            assertThat(store.recalculateMessageCount(id).count()).isEqualTo(6);
            store.upsertMessagesBatch(id, messages("n", 0, 3));
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(9);
        }

        @Test
        @DisplayName("refuses a batch larger than maxBatchBytes in UTF-8, writing nothing")
        void batchBytes() {
            TraceStore store = store(CassandraTraceStorage.builder(session).keyspace(KS).maxBatchBytes(4096).build());
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            // 1,500 characters, but 4,500 bytes of UTF-8.
            List<MessageInput> tooBig = List.of(MessageInput.of("cjk", 1, Role.USER, "日".repeat(1500)));

            assertThatThrownBy(() -> store.upsertMessagesBatch(id, tooBig))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("messages: a batch must encode to at most 4096 bytes in the Cassandra storage");
            assertThat(store.listMessages(id, null, 10).items()).isEmpty();
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isZero();

            store.upsertMessagesBatch(id, List.of(MessageInput.of("ascii", 1, Role.USER, "x".repeat(3000))));
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(1);
        }

        @Test
        @DisplayName("stores a batch just under the default maxBatchBytes; with the limit raised, Cassandra refuses a"
                + " batch over its max_mutation_size, and nothing is stored")
        void requestSize() {
            TraceStore store = TraceStore.builder().storage(storage(session)).build(); // the default 1 MiB text limit
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            String megabyte = "x".repeat(1_000_000);
            List<MessageInput> four = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                four.add(MessageInput.of("big-" + i, i, Role.TOOL, megabyte));
            }

            store.upsertMessagesBatch(id, four); // about 4,000,500 bytes of the default 4,194,304
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(4);

            TraceStore unguarded = TraceStore.builder()
                    .storage(CassandraTraceStorage.builder(session).keyspace(KS).maxBatchBytes(64 << 20).build()).build();
            List<MessageInput> seventeen = new ArrayList<>();
            for (int i = 0; i < 17; i++) {
                seventeen.add(MessageInput.of("bigger-" + i, 100 + i, Role.TOOL, megabyte));
            }
            assertThatThrownBy(() -> unguarded.upsertMessagesBatch(id, seventeen))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("exceeds allowed maximum")
                    .hasMessageContaining("the count is unchanged");
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(4);
            assertThat(rowsIn("message_keys", id)).isEqualTo(4);
        }

        @Test
        @DisplayName("refuses an instant it cannot hold in epoch microseconds, naming it, writing nothing")
        void instantsOutOfRange() {
            TraceStore store = store(storage(session));
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("far", 1, Role.USER, "x")
                    .withCreatedAt(Instant.MAX)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("message \"far\" createdAt: must be within about 292,000 years of 1970");
            assertThatThrownBy(() -> store.upsertTrace(TraceInput.of(NS, "s-2").withCreatedAt(Instant.MIN)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("createdAt: must be within about 292,000 years of 1970");
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isZero();
            assertThat(store.findTrace(NS, "s-2")).isEmpty();
        }
    }

    // ------------------------------------------------------------------ repairs

    @Nested
    @DisplayName("Repairing what races leave")
    class Repairs {

        @Test
        @DisplayName("a message re-sent with another sequence lists once, at its new place; its old row is deleted,"
                + " and never a row written again since")
        void movedMessage() throws Exception {
            TraceStore store = store(storage(session));
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, List.of(MessageInput.of("a", 1, Role.USER, "first"),
                    MessageInput.of("b", 2, Role.USER, "second")));
            store.upsertMessage(id, MessageInput.of("a", 3, Role.USER, "moved"));

            assertThat(store.listMessages(id, null, 10).items()).extracting(Message::externalId, Message::sequence)
                    .containsExactly(tuple("b", 2L), tuple("a", 3L));
            eventually("the row left at sequence 1 is deleted", () -> rowsIn("messages", id) == 2);

            store.upsertMessage(id, MessageInput.of("a", 1, Role.USER, "back"));
            assertThat(store.listMessages(id, null, 10).items()).extracting(Message::externalId, Message::text)
                    .containsExactly(tuple("a", "back"), tuple("b", "second"));
            eventually("the row left at sequence 3 is deleted", () -> rowsIn("messages", id) == 2);
            assertThat(store.listMessages(id, null, 10).items()).extracting(Message::text).containsExactly("back", "second");
            assertThat(store.recalculateMessageCount(id).count()).isEqualTo(2);
        }

        @Test
        @DisplayName("a list row left at an older position, or of a removed trace, is not listed, and is deleted")
        void staleListRows() throws Exception {
            TraceStore store = store(storage(session));
            TraceDetail t = store.upsertTrace(TraceInput.of(NS, "s-1"));
            long older = Micros.of(t.updatedAt()) - 1_000;
            session.execute("INSERT INTO " + KS + ".traces_by_namespace (namespace, updated_at, id) VALUES (?, ?, ?)",
                    NS, older, t.id());
            session.execute("INSERT INTO " + KS + ".traces_by_namespace (namespace, updated_at, id) VALUES (?, ?, ?)",
                    NS, older, 987_654L);

            Page<TraceSummary> page = store.listTraces(TraceQuery.namespace(NS));

            assertThat(page.items()).extracting(TraceSummary::id).containsExactly(t.id());
            eventually("both stale rows are deleted", () -> session.execute("SELECT COUNT(*) FROM " + KS
                    + ".traces_by_namespace WHERE namespace = ?", NS).one().getLong(0) == 1);
        }
    }

    // ------------------------------------------------------------------ tombstones

    @Nested
    @DisplayName("Tombstones")
    class Tombstones {

        private static final Pattern READ = Pattern.compile("Read (\\d+) live rows and (\\d+) tombstone cells");

        /** The tombstones the server reports for one read, from its query trace. */
        private long tombstonesRead(String cql, Object... values) {
            ResultSet rs = session.execute(SimpleStatement.newInstance(cql, values).setTracing(true));
            long tombstones = -1;
            for (TraceEvent event : rs.getExecutionInfo().getQueryTrace().getEvents()) {
                Matcher m = READ.matcher(event.getActivity());
                if (m.find()) {
                    tombstones = Math.max(tombstones, 0) + Long.parseLong(m.group(2));
                }
            }
            assertThat(tombstones).as("the query trace of %s reports what it read", cql).isNotNegative();
            return tombstones;
        }

        @Test
        @DisplayName("a trace moved by 100 writes keeps one position row, and its partition, read by every write,"
                + " holds one range tombstone rather than 99 row tombstones")
        void hotTracePartition() {
            MutableClock clock = new MutableClock(Instant.parse("2026-11-29T08:00:00Z"));
            TraceStore store = TraceStore.builder().storage(storage(session)).clock(clock).build();
            long id = store.upsertTrace(TraceInput.of(NS, "hot")).id();
            for (int b = 0; b < 100; b++) {
                clock.advance(Duration.ofMillis(1));
                store.upsertMessage(id, MessageInput.of("m-" + b, b, Role.USER, "x"));
            }

            assertThat(rowsIn("traces", id)).isEqualTo(1);
            assertThat(tombstonesRead("SELECT updated_at FROM " + KS + ".traces WHERE id = ?", id))
                    .as("the two bounds of one range tombstone").isEqualTo(2);
        }

        @Test
        @DisplayName("the head of a namespace's list holds one row tombstone per move since its last row was"
                + " written, as the class comment says, until compaction purges them")
        void listHead() {
            MutableClock clock = new MutableClock(Instant.parse("2026-11-29T08:00:00Z"));
            TraceStore store = TraceStore.builder().storage(storage(session)).clock(clock).build();
            long hot = store.upsertTrace(TraceInput.of(NS, "hot")).id();
            clock.advance(Duration.ofMillis(1));
            store.upsertTrace(TraceInput.of(NS, "quiet"));
            for (int b = 0; b < 100; b++) {
                clock.advance(Duration.ofMillis(1));
                store.upsertMessage(hot, MessageInput.of("m-" + b, b, Role.USER, "x"));
            }

            assertThat(store.listTraces(TraceQuery.namespace(NS).limit(2)).items()).hasSize(2);
            // The first move left its tombstone below "quiet"; the 99 others lie above it.
            assertThat(tombstonesRead("SELECT id FROM " + KS + ".traces_by_namespace WHERE namespace = ? LIMIT 2", NS))
                    .isEqualTo(99);
        }
    }

    // ------------------------------------------------------------------ deletion

    @Nested
    @DisplayName("Deleting")
    class Deleting {

        @Test
        @DisplayName("a writer that read the trace before the deletion hid it leaves nothing a reader can see;"
                + " only its late counter increment survives, as an orphan counter row")
        void lateWriterIsFenced() throws Exception {
            TraceStore store = store(storage(session));
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, messages("m", 0, 5));

            Gate gate = new Gate();
            CompletableFuture<Thread> writer = new CompletableFuture<>();
            CompletableFuture<Object> late = inThread(() -> {
                Thread self = Thread.currentThread();
                TraceStore lateStore = store(storage(gate.over(session, s -> Statements.runs(s, ".messages ("), self)));
                writer.complete(self);
                return lateStore.upsertMessagesBatch(id, messages("late", 0, 7)); // stops before writing its messages
            });
            writer.get(30, TimeUnit.SECONDS);
            gate.awaitReached(); // the late writer has read the trace, visible, and taken its write timestamp

            assertThat(store.deleteTrace(id)).isEqualTo(new DeleteResult(id, true, 5));
            gate.open.countDown();
            late.get(30, TimeUnit.SECONDS); // it believes it wrote: it linearizes before the deletion

            assertThat(store.getTrace(id)).isEmpty();
            assertThat(rowsIn("messages", id)).as("message rows").isZero();
            assertThat(rowsIn("message_keys", id)).as("message keys").isZero();
            assertThat(rowsIn("traces", id)).as("trace rows and positions").isZero();
            assertThat(store.findTrace(NS, "s-1")).isEmpty();
            assertThat(store.listTraces(TraceQuery.namespace(NS)).items()).isEmpty();
            eventually("the list row the late writer left is deleted by the listing", () -> session.execute(
                    "SELECT COUNT(*) FROM " + KS + ".traces_by_namespace WHERE namespace = ?", NS).one().getLong(0) == 0);
            assertThat(session.execute("SELECT COUNT(*) FROM " + KS + ".trace_ids WHERE namespace = ?", NS).one()
                    .getLong(0)).isZero();
            // The late increment, the one write a counter cannot fence. Its value is meaningless (Cassandra does
            // not reliably restart a deleted counter from zero), and nothing reads it: trace ids are never reused.
            Row orphan = session.execute("SELECT message_count FROM " + KS + ".trace_counts WHERE trace_id = ?", id).one();
            assertThat(orphan).as("an orphan counter row").isNotNull();
        }

        @Test
        @DisplayName("a deleter that counted the messages, then found the trace removed by another deleter,"
                + " reports none of them: the reports add up to the messages deleted")
        void lateDeleterReportsNothing() throws Exception {
            CassandraTraceStorage plain = storage(session);
            TraceStore store = store(plain);
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            store.upsertMessagesBatch(id, messages("m", 0, 30));
            assertThat(plain.markDeleting(id)).isTrue();

            Gate gate = new Gate();
            CompletableFuture<Thread> deleter = new CompletableFuture<>();
            CompletableFuture<Integer> late = inThread(() -> {
                Thread self = Thread.currentThread();
                CassandraTraceStorage lateStorage = storage(gate.over(session, s -> Statements.runs(s, "purged_by"), self));
                deleter.complete(self);
                return lateStorage.deleteMessages(id, 1000); // stops before claiming the report
            });
            deleter.get(30, TimeUnit.SECONDS);
            gate.awaitReached(); // the late deleter has seen the trace tombstoned and counted its 30 messages

            assertThat(plain.deleteMessages(id, 1000)).isEqualTo(30);
            plain.removeTrace(id);
            gate.open.countDown();

            assertThat(late.get(30, TimeUnit.SECONDS)).as("what the late deleter reports").isZero();
            assertThat(rowsIn("messages", id)).isZero();
        }

        @Test
        @DisplayName("deletes a trace's messages with one partition tombstone per table, whatever their number")
        void partitionTombstones() {
            List<Statement<?>> ran = new ArrayList<>();
            TraceStore store = TraceStore.builder().storage(storage(InterceptingSession.recording(session, ran)))
                    .deletionChunkSize(100).build();
            long id = store.upsertTrace(TraceInput.of(NS, "s-1")).id();
            for (int b = 0; b < 5; b++) {
                store.upsertMessagesBatch(id, messages("m" + b, 0, 500));
            }
            ran.clear();

            assertThat(store.deleteTrace(id)).isEqualTo(new DeleteResult(id, true, 2500));

            List<String> deletes = ran.stream().map(Statements::cql)
                    .filter(cql -> cql.contains("DELETE FROM " + KS + ".message")).toList();
            assertThat(deletes).as("each call deletes both partitions in one batch, and no row on its own")
                    .allSatisfy(cql -> assertThat(cql).isEqualTo("DELETE FROM " + KS + ".message_keys WHERE trace_id = ?\n"
                            + "DELETE FROM " + KS + ".messages WHERE trace_id = ?"));
            assertThat(deletes).hasSize(2); // the call that deletes them all, and the one that finds none left
            assertThat(rowsIn("messages", id)).isZero();
        }
    }
}
