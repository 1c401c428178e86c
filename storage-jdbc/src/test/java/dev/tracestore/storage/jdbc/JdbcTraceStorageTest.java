package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceStore;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** What the JDBC storage promises beyond the contract kit, on every database setup. */
class JdbcTraceStorageTest {
    private static final Map<Setup, TestDatabase> OPEN = new EnumMap<>(Setup.class);

    /** Emoji (one with a zero-width joiner), CJK, right-to-left scripts, combining marks, a BOM-like character. */
    private static final String UNICODE = "emoji 🚀👩‍💻 CJK 日本語の文章 中文 한국어 RTL עברית العربية combining e\u0301 \uFEFF end";

    private static synchronized TestDatabase database(Setup setup) {
        if (setup == Setup.MARIADB) {
            String skip = Setup.mariaDbSkipReason();
            Assumptions.assumeTrue(skip == null, skip);
        }
        return OPEN.computeIfAbsent(setup, Setup::open);
    }

    @AfterAll
    static synchronized void dropDatabases() {
        OPEN.values().forEach(TestDatabase::close);
        OPEN.clear();
    }

    private static TraceStore store(JdbcTraceStorage storage) {
        return TraceStore.builder().storage(storage).build();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("a batch and a single upsert each send exactly one statement to the traces table: the guarded increment")
    void oneTraceWritePerBatch(Setup setup) {
        TestDatabase db = database(setup);
        InterceptingDataSource log = InterceptingDataSource.over(() -> {});
        TraceStore store = store(db.storage(log));
        long id = store.upsertTrace(TraceInput.of("count-ns", "s-" + System.nanoTime())).id();
        String traces = db.prefix + "traces";
        String messages = db.prefix + "messages";

        // 50 rows: a row of parameters per message everywhere; 150 and 1000: one array per column on PostgreSQL.
        int[] sizes = {50, 150, 1000};
        for (int round = 0; round < sizes.length; round++) {
            log.clear();
            List<MessageInput> batch = new ArrayList<>();
            for (int i = 0; i < sizes[round]; i++) {
                batch.add(MessageInput.of("r" + round + "-" + i, i, Role.USER, "x"));
            }
            store.upsertMessagesBatch(id, batch);
            assertThat(writesTo(traces, log.executed())).as("writes to the trace row per batch, in every statement part")
                    .singleElement().satisfies(sql -> assertThat(sql).startsWith("UPDATE")
                            .contains("message_count = message_count + ?"));
            if (db.dialect.runsStatementsTogether()) {
                assertThat(log.executed()).as("the trace write and the upsert, in this order, in one statement")
                        .singleElement().satisfies(sql -> assertThat(sql.indexOf(traces)).isLessThan(sql.indexOf(messages)));
            } else {
                assertThat(log.executed()).as("the trace write, then the upsert").hasSize(2);
            }
        }

        log.clear();
        store.upsertMessage(id, MessageInput.of("single", 1, Role.USER, "x"));
        assertThat(writesTo(traces, log.executed())).as("writes to the trace row per single upsert").hasSize(1);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(1201);

        // An append with a cursor sends the same statements as a batch without one.
        for (int size : new int[] {50, 1000}) {
            log.clear();
            List<MessageInput> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                batch.add(MessageInput.of("c" + size + "-" + i, i, Role.USER, "x"));
            }
            store.appendMessages(id, batch, size == 50 ? null : "after 50", size == 50 ? "after 50" : "after 1000");
            assertThat(writesTo(traces, log.executed())).as("writes to the trace row per append of %d", size)
                    .singleElement().satisfies(sql -> assertThat(sql).contains("ingest_cursor = ?"));
            assertThat(log.executed()).as("statements of an append of %d", size)
                    .hasSize(db.dialect.runsStatementsTogether() ? 1 : 2);
        }
    }

    /**
     * The statement parts among {@code executed} that write {@code table}: each executed text is
     * split at its semicolons (the parts PostgreSQL runs from one string), and a part counts
     * once for each UPDATE, INSERT, MERGE, REPLACE or DELETE of the table it holds, a CTE's included.
     */
    static List<String> writesTo(String table, List<String> executed) {
        Pattern write = Pattern.compile("(?i)\\b(UPDATE|INSERT\\s+INTO|MERGE\\s+INTO|REPLACE\\s+INTO|DELETE\\s+FROM)\\s+[`\"]?"
                + Pattern.quote(table) + "[`\"]?(\\s|$)");
        List<String> writes = new ArrayList<>();
        for (String sql : executed) {
            for (String part : sql.split(";")) {
                Matcher m = write.matcher(part);
                while (m.find()) {
                    writes.add(part.strip());
                }
            }
        }
        return writes;
    }

    /**
     * A deleter's chunk transaction locks the tombstoned trace row, then deletes messages. A
     * write into that trace must fail without touching a message first: one that locked a
     * re-sent message and then waited for the trace row (a new message's foreign-key check
     * does) would deadlock with the deleter. On PostgreSQL and H2 the increment skips a row
     * whose committed version is tombstoned without waiting for its lock, so the write fails at
     * once. Not on MariaDB, where InnoDB locks the row its unique lookup finds before testing
     * the tombstone: there the increment waits for the deleter holding nothing, then fails (the
     * kit's deletion race covers it); nor on SQLite, which has no row locks.
     */
    @ParameterizedTest
    @EnumSource(value = Setup.class, names = {"H2_MEMORY", "H2_FILE", "POSTGRESQL"})
    @DisplayName("a batch into a trace being deleted fails at once, touching no message, while a deleter holds the trace row")
    void writeIntoTombstonedTrace_whileADeleterHoldsTheRow_failsWithoutWaiting(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        JdbcTraceStorage storage = db.storage(InterceptingDataSource.over(() -> {}));
        TraceStore store = store(storage);
        long id = store.upsertTrace(TraceInput.of("tombstone-ns", "s-" + System.nanoTime())).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("kept", 1, Role.USER, "first")));
        assertThat(storage.markDeleting(id)).isTrue();

        try (Connection deleter = db.pool.getConnection()) {
            deleter.setAutoCommit(false);
            try (PreparedStatement lock = deleter.prepareStatement(db.dialect.lockTombstone(db.table("traces")))) {
                lock.setLong(1, id);
                lock.executeQuery().close();
            }
            CompletableFuture<Void> write = CompletableFuture.runAsync(() -> store.upsertMessagesBatch(id, List.of(
                    MessageInput.of("kept", 1, Role.USER, "re-sent"), MessageInput.of("new", 2, Role.USER, "second"))));
            assertThatThrownBy(() -> write.get(10, TimeUnit.SECONDS)).as("fails without waiting for the deleter")
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TraceNotFoundException.class);
            deleter.rollback();
        }
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + db.table("messages") + " WHERE trace_id = " + id)).isEqualTo(1);
        assertThat(db.queryLong("SELECT COUNT(*) FROM " + db.table("messages") + " WHERE trace_id = " + id
                + " AND body = 'first'")).isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("a pooled connection is asked its isolation level once, not at every batch (PgJDBC asks the server)")
    void isolationIsAskedOncePerConnection(Setup setup) {
        TestDatabase db = database(setup);
        List<String> calls = java.util.Collections.synchronizedList(new ArrayList<>());
        TraceStore store = store(db.storage(InterceptingDataSource.everyCall(calls::add)));
        long id = store.upsertTrace(TraceInput.of("isolation-ns", "s-" + System.nanoTime())).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("first", 0, Role.USER, "x")));

        calls.clear();
        for (int i = 1; i <= 5; i++) {
            store.upsertMessagesBatch(id, List.of(MessageInput.of("m-" + i, i, Role.USER, "x")));
        }

        assertThat(calls).as("one thread, so the pool hands out the connection it used before")
                .contains("Connection.commit")
                .doesNotContain("Connection.getTransactionIsolation");
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(6);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("a batch is written as multi-row upserts, split by row count and by text size, in one transaction")
    void multiRowUpsertsSplitLargeBatches(Setup setup) {
        TestDatabase db = database(setup);
        InterceptingDataSource log = InterceptingDataSource.over(() -> {});
        TraceStore store = TraceStore.builder().storage(db.storage(log)).maxBatchSize(2500).build();
        long id = store.upsertTrace(TraceInput.of("split-ns", "s-" + System.nanoTime())).id();
        String messages = db.prefix + "messages";

        List<MessageInput> many = new ArrayList<>();
        for (int i = 0; i < 2500; i++) {
            many.add(MessageInput.of("m-" + i, i, Role.USER, "x" + i));
        }
        log.clear();
        store.upsertMessagesBatch(id, many);
        assertThat(log.executed()).filteredOn(sql -> sql.contains(messages))
                .as("1000 + 1000 + 500 rows").hasSize(3);

        String large = "y".repeat(400_000);
        List<MessageInput> big = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            big.add(MessageInput.of("big-" + i, 10_000 + i, Role.USER, large + i));
        }
        log.clear();
        store.upsertMessagesBatch(id, big);
        assertThat(log.executed()).filteredOn(sql -> sql.contains(messages))
                .as("two messages fit in a million characters, the third goes alone").hasSize(2);

        assertThat(store.recalculateMessageCount(id).count()).isEqualTo(2503);
        assertThat(store.recalculateMessageCount(id).drift()).isZero();
        assertThat(store.listMessages(id, null, 1000).items().get(0).text()).isEqualTo("x0");
        Message last = store.listMessages(id, null, 1000).items().stream()
                .filter(m -> m.externalId().equals("m-999")).findFirst().orElseThrow();
        assertThat(last.text()).isEqualTo("x999");
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("a batch stores every field exactly in each upsert form (rows of parameters at 10, arrays at 1000 on PostgreSQL), replacing on re-send")
    void batchFieldsRoundTrip(Setup setup) {
        TraceStore store = store(database(setup).storage(InterceptingDataSource.over(() -> {})));
        // Text that an array literal must quote or escape: braces, quotes, commas, backslashes,
        // the word NULL, whitespace at the ends, and text that only looks like an instant.
        List<String> hostile = List.of("NULL", "null", "{a,b}", "\"quoted\", and \\ back", " padded ", "{}", "\\N",
                "2026-12-02T15:28:34Z", UNICODE, "line\nbreak\ttab");
        Instant base = Instant.parse("2026-12-02T15:28:34.123456Z");
        for (int size : new int[] {10, 1000}) {
            long id = store.upsertTrace(TraceInput.of("fields-ns", "s-" + size + "-" + System.nanoTime())).id();
            List<Message> expected = new ArrayList<>();
            List<MessageInput> batch = new ArrayList<>();
            for (int i = 0; i < size; i++) {
                String text = hostile.get(i % hostile.size()) + " " + i;
                String model = i % 3 == 0 ? null : hostile.get((i + 1) % hostile.size());
                String parts = i % 2 == 0 ? null : "[{\"type\":\"text\",\"text\":\"{" + i + "}\"}]";
                Instant at = base.plusNanos(i * 1_001_000L);
                Role role = Role.values()[i % Role.values().length];
                String externalId = "id,{" + i + "}\"";
                batch.add(MessageInput.of(externalId, i, role, text).withModel(model).withCreatedAt(at).withPartsJson(parts));
                expected.add(new Message(externalId, i, role, text, model, at, parts));
            }
            store.upsertMessagesBatch(id, batch);
            assertThat(allMessages(store, id)).as("batch of " + size).containsExactlyElementsOf(expected);

            // Re-sent with other values: every column replaced.
            List<MessageInput> again = new ArrayList<>();
            List<Message> replaced = new ArrayList<>();
            for (Message m : expected) {
                Instant later = m.createdAt().plusSeconds(60);
                again.add(MessageInput.of(m.externalId(), m.sequence() + 1, Role.USER, "new " + m.text()).withModel("m2")
                        .withCreatedAt(later).withPartsJson("[]"));
                replaced.add(new Message(m.externalId(), m.sequence() + 1, Role.USER, "new " + m.text(), "m2", later, "[]"));
            }
            store.upsertMessagesBatch(id, again);
            assertThat(allMessages(store, id)).as("re-sent batch of " + size).containsExactlyElementsOf(replaced);
        }
    }

    private static List<Message> allMessages(TraceStore store, long id) {
        List<Message> all = new ArrayList<>();
        String cursor = null;
        do {
            Page<Message> page = store.listMessages(id, cursor, 500);
            all.addAll(page.items());
            cursor = page.nextCursor();
        } while (cursor != null);
        return all;
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("stores emoji, CJK and right-to-left text, in messages and trace attributes, exactly")
    void unicodeRoundTrip(Setup setup) {
        TraceStore store = store(database(setup).storage(InterceptingDataSource.over(() -> {})));
        TraceDetail t = store.upsertTrace(TraceInput.of("unicode-ns", "日本-🚀-" + System.nanoTime()).withTitle(UNICODE)
                .withAgent("agent-é").withModel("模型").withProject("פרויקט"));
        Instant at = Instant.parse("1999-12-31T23:59:59.999999Z");
        String parts = "[{\"type\":\"text\",\"text\":\"" + UNICODE + "\"}]";
        MessageInput m = MessageInput.of("ид-😀-1", 1, Role.ASSISTANT, UNICODE).withModel("模型").withCreatedAt(at)
                .withPartsJson(parts);

        store.upsertMessage(t.id(), m);

        assertThat(store.getTrace(t.id()).orElseThrow()).satisfies(d -> {
            assertThat(d.title()).isEqualTo(UNICODE);
            assertThat(d.agentId()).isEqualTo("agent-é");
            assertThat(d.model()).isEqualTo("模型");
            assertThat(d.projectName()).isEqualTo("פרויקט");
        });
        assertThat(store.findTrace("unicode-ns", t.externalId())).isPresent();
        assertThat(store.listMessages(t.id(), null, 10).items())
                .containsExactly(new Message("ид-😀-1", 1, Role.ASSISTANT, UNICODE, "模型", at, parts));
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("stores U+0000 faithfully where the database can, and otherwise rejects it naming the field, writing nothing")
    void nulCharacter(Setup setup) {
        TestDatabase db = database(setup);
        TraceStore store = store(db.storage(InterceptingDataSource.over(() -> {})));
        long id = store.upsertTrace(TraceInput.of("nul-ns", "s-" + System.nanoTime())).id();
        String text = "before\u0000after";
        MessageInput m = MessageInput.of("nul-1", 1, Role.USER, text);

        if (db.dialect.storesNulCharacter()) {
            store.upsertMessage(id, m);
            assertThat(store.listMessages(id, null, 10).items()).singleElement()
                    .satisfies(stored -> assertThat(stored.text()).isEqualTo(text).hasSize(12));
            TraceDetail titled = store.upsertTrace(TraceInput.of("nul-ns", "t-" + System.nanoTime()).withTitle(text));
            assertThat(store.getTrace(titled.id()).orElseThrow().title()).isEqualTo(text);
        } else {
            assertThatThrownBy(() -> store.upsertMessage(id, m)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("message \"nul-1\" text").hasMessageContaining("U+0000");
            assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("nul-2", 1, Role.USER, "ok")
                    .withPartsJson("[\"a\u0000\"]"))).isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> store.upsertTrace(TraceInput.of("nul-ns", "t-nul").withTitle(text)))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("title").hasMessageContaining("U+0000");
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isZero();
            assertThat(store.listMessages(id, null, 10).items()).isEmpty();
            assertThat(store.findTrace("nul-ns", "t-nul")).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("keeps ids that differ only in case or a trailing space apart, and lists ASCII ids in Java order")
    void idsCompareByExactValue(Setup setup) {
        TraceStore store = store(database(setup).storage(InterceptingDataSource.over(() -> {})));
        long id = store.upsertTrace(TraceInput.of("ids-ns", "s-" + System.nanoTime())).id();
        List<String> ids = List.of("a!", "B", "a ", "a", "b", "A");
        List<MessageInput> batch = new ArrayList<>();
        for (String external : ids) {
            batch.add(MessageInput.of(external, 7, Role.USER, "x"));
        }

        store.upsertMessagesBatch(id, batch);

        assertThat(store.listMessages(id, null, 10).items()).extracting(Message::externalId)
                .containsExactlyElementsOf(ids.stream().sorted().toList());
        assertThat(store.recalculateMessageCount(id).count()).isEqualTo(6);
        assertThat(store.findTrace("ids-ns", store.getTrace(id).orElseThrow().externalId() + " ")).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("migrate is idempotent and safe when four callers run it at once on a fresh prefix")
    void concurrentMigrate(Setup setup) throws Exception {
        TestDatabase db = database(setup);
        String prefix = "mig" + Long.toString(System.nanoTime() % 1_000_000_000L, 36) + "_";
        JdbcTraceStorage storage = JdbcTraceStorage.builder(db.pool).tablePrefix(prefix).build();
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> {
                    start.await();
                    return storage.migrate();
                }));
            }
            start.countDown();
            int applied = 0;
            for (Future<Integer> run : runs) {
                applied += run.get(60, TimeUnit.SECONDS);
            }
            assertThat(applied).as("versions recorded, over all callers: the three shipped").isEqualTo(3);
            assertThat(storage.migrate()).isZero();
            TraceStore store = store(storage);
            long id = store.upsertTrace(TraceInput.of("ns", "s")).id();
            store.upsertMessage(id, MessageInput.of("m", 1, Role.USER, "x"));
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(1);
        } finally {
            pool.shutdownNow();
            for (String table : new String[] {"messages", "traces", "schema_history"}) {
                db.execute("DROP TABLE IF EXISTS " + db.dialect.quote(prefix + table));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("detects the dialect from the connection's metadata")
    void detectsDialect(Setup setup) {
        String expected = switch (setup) {
            case H2_MEMORY, H2_FILE -> "h2";
            case SQLITE_FILE -> "sqlite";
            case POSTGRESQL -> "postgresql";
            case MARIADB -> "mysql";
        };
        assertThat(database(setup).dialect.name()).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    @DisplayName("deletes messages only of a tombstoned trace, and finds none of an absent one")
    void deleteMessagesNeedsTombstone(Setup setup) {
        JdbcTraceStorage storage = database(setup).storage(InterceptingDataSource.over(() -> {}));
        TraceStore store = store(storage);
        long id = store.upsertTrace(TraceInput.of("del-ns", "s-" + System.nanoTime())).id();
        store.upsertMessage(id, MessageInput.of("a", 1, Role.USER, "x"));

        assertThatThrownBy(() -> storage.deleteMessages(id, 10)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("trace " + id);
        assertThat(store.listMessages(id, null, 10).items()).hasSize(1);
        assertThat(storage.deleteMessages(987_654_321L, 10)).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"Tracestore_", "1abc", "a-b", "x\"; DROP TABLE t; --", "a b", "abcdefghijklmnopqrstuvwxyz012345"})
    @DisplayName("rejects a table prefix that is not a short lower-case identifier, naming the setting")
    void rejectsBadPrefix(String prefix) {
        assertThatThrownBy(() -> JdbcTraceStorage.builder(database(Setup.H2_MEMORY).pool).tablePrefix(prefix).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("tablePrefix:");
    }

    @Test
    @DisplayName("rejects an unsupported database, naming it and the supported ones")
    void unsupportedProduct() {
        assertThatThrownBy(() -> Dialect.forProduct("Oracle")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("\"Oracle\"").hasMessageContaining("H2, PostgreSQL, MySQL, MariaDB, SQLite");
        for (String product : List.of("H2", "PostgreSQL", "MySQL", "MariaDB", "SQLite")) {
            assertThat(Dialect.forProduct(product.toUpperCase(Locale.ROOT))).isNotNull();
        }
    }

    @Test
    @DisplayName("a dialect is a closed handle: its public surface is the four factories, name() and the product list")
    void dialectSurface() {
        assertThat(Arrays.stream(Dialect.class.getMethods()).filter(m -> m.getDeclaringClass() == Dialect.class)
                .map(Method::getName)).containsExactlyInAnyOrder("h2", "postgresql", "mysql", "sqlite", "name", "toString");
        assertThat(Arrays.stream(Dialect.class.getFields()).map(Field::getName)).containsExactly("SUPPORTED_PRODUCTS");
        assertThat(Dialect.class.getClasses()).as("public nested types").isEmpty();
        assertThat(Arrays.stream(Dialect.class.getDeclaredConstructors()).map(Constructor::getModifiers))
                .allMatch(m -> !Modifier.isPublic(m) && !Modifier.isProtected(m));
        for (Dialect d : List.of(Dialect.h2(), Dialect.postgresql(), Dialect.mysql(), Dialect.sqlite())) {
            assertThat(Modifier.isPublic(d.getClass().getModifiers())).as(d.getClass().getSimpleName() + " is public").isFalse();
        }
    }
}
