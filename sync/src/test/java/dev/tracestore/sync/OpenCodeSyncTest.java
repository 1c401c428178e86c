package dev.tracestore.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.Message;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * OpenCode, both storages: the fixture's hand-computed figures (see its README), then a session
 * that grows, streams, and is reverted, counted at the storage.
 */
class OpenCodeSyncTest {
    static final String A = "ses_f60daf57fffeKq7wPz2LmXv9Rt";
    static final String B = "ses_f60d7e83fffeWq3kDr6GuNa9Jt";
    private static final String U2 = "msg_09f25f4e0001Cv9kNr2HbSu7Ej";
    private static final String A2 = "msg_09f25f8c8001Dx5pLw1MfGt8Yq";
    /** Session A's figures: 1200 + 150 + 90 uncached input; (80 + 40) + 60 + (30 + 10) output with reasoning. */
    static final TokenUsage A_TOKENS = TokenUsage.of(1440, 220).withCache(12_200, 600);

    @TempDir
    Path dir;
    CountingStorage storage;
    TraceStore store;
    Path db;

    @BeforeEach
    void setUp() throws Exception {
        storage = new CountingStorage();
        store = TraceStore.builder().storage(storage).build();
        db = dir.resolve("opencode/opencode.db");
        Files.createDirectories(db.getParent());
        try (Connection c = writer(); Statement s = c.createStatement()) {
            for (String sql : fixture("opencode.sql").split(";\n")) {
                if (!sql.isBlank()) {
                    s.execute(sql);
                }
            }
        }
    }

    private static String fixture(String name) throws IOException {
        try (InputStream in = OpenCodeSyncTest.class.getResourceAsStream("/fixtures/opencode/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private Connection writer() throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + db);
    }

    private SessionSync live() {
        return SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofHours(1)).build();
    }

    private TraceDetail trace(String session) {
        return store.findTrace("me", session).orElseThrow();
    }

    private List<Message> rows(String session) {
        return store.listMessages(trace(session).id(), null, 1000).items();
    }

    /** A message as OpenCode writes one: its row, then its parts' rows. */
    private static void insert(Connection c, String session, String id, long updated, String info, String... parts)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO message VALUES (?, ?, ?, ?, ?)")) {
            ps.setString(1, id);
            ps.setString(2, session);
            ps.setLong(3, updated);
            ps.setLong(4, updated);
            ps.setString(5, info);
            ps.executeUpdate();
        }
        for (int i = 0; i < parts.length; i++) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO part VALUES (?, ?, ?, ?, ?, ?)")) {
                ps.setString(1, "prt_" + id.substring(4, 16) + i + "Zz");
                ps.setString(2, id);
                ps.setString(3, session);
                ps.setLong(4, updated);
                ps.setLong(5, updated);
                ps.setString(6, parts[i]);
                ps.executeUpdate();
            }
        }
    }

    static String prompt(long at) {
        return "{\"role\":\"user\",\"time\":{\"created\":" + at + "},\"agent\":\"build\",\"model\":{\"providerID\":\"anthropic\","
                + "\"modelID\":\"claude-sonnet-4-5\"}}";
    }

    static String reply(long at, Long completed, int input) {
        return "{\"role\":\"assistant\",\"time\":{\"created\":" + at + (completed == null ? "" : ",\"completed\":" + completed)
                + "},\"parentID\":\"x\",\"modelID\":\"claude-opus-4-1\",\"providerID\":\"anthropic\",\"mode\":\"build\","
                + "\"agent\":\"build\",\"path\":{\"cwd\":\"/w\",\"root\":\"/w\"},\"cost\":0,\"tokens\":{\"input\":" + input
                + ",\"output\":7,\"reasoning\":0,\"cache\":{\"read\":0,\"write\":0}}}";
    }

    static String text(String text) {
        return "{\"type\":\"text\",\"text\":\"" + text + "\"}";
    }

    @Test
    @DisplayName("the database fixture: two sessions, each message's text, role, tool calls; tokens summed over step-finish parts")
    void databaseFixture() {
        SyncReport report = live().sync(List.of(dir));

        assertThat(report.problems()).isEmpty();
        assertThat(report.files()).extracting(SyncedFile::sessionId, SyncedFile::messages, SyncedFile::complete)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(B, 2, true), org.assertj.core.groups.Tuple.tuple(A, 4, true));
        TraceDetail a = trace(A);
        assertThat(a.agentId()).isEqualTo("opencode");
        assertThat(a.title()).isEqualTo("Fix the failing date test");
        assertThat(a.projectName()).isEqualTo("calendar-app");
        assertThat(a.model()).isEqualTo("claude-sonnet-4-5");
        assertThat(a.messageCount()).isEqualTo(4);
        assertThat(a.toolCallCount()).isEqualTo(3);
        assertThat(a.tokens()).as("every step's tokens, not the message's last step's").isEqualTo(A_TOKENS);
        assertThat(rows(A)).extracting(Message::role, Message::text, Message::toolCalls).containsExactly(
                org.assertj.core.groups.Tuple.tuple(Role.USER, "The date test fails on CI, can you fix it? @src/test/DateTest.java", 0),
                org.assertj.core.groups.Tuple.tuple(Role.ASSISTANT, "Let me look at how the test builds its dates.\n\n"
                        + "Fixed: the test used the machine's time zone; it now uses UTC.", 3),
                org.assertj.core.groups.Tuple.tuple(Role.USER, "Thanks! Now run the whole suite.", 0),
                org.assertj.core.groups.Tuple.tuple(Role.ASSISTANT, "All 214 tests pass.", 0));
        assertThat(rows(A).get(0).partsJson()).as("the synthetic part kept in the parts").contains("Called the Read tool");
        TraceDetail b = trace(B);
        assertThat(b.messageCount()).isEqualTo(2);
        assertThat(b.tokens()).as("no step-finish part: the message's own tokens").isEqualTo(TokenUsage.of(300, 120));
        assertThat(storage.recounts).isZero();
    }

    @Test
    @DisplayName("the JSON storage fixture (session A's files) reads as the database does, unless the database has replaced it")
    void jsonStorageFixture() throws IOException, URISyntaxException {
        Path storageDir = dir.resolve("json");
        Path source = Paths.get(OpenCodeSyncTest.class.getResource("/fixtures/opencode/storage").toURI());
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path to = storageDir.resolve(source.relativize(f).toString());
                Files.createDirectories(to.getParent());
                Files.copy(f, to);
            }
        }
        SyncReport report = live().sync(List.of(storageDir));

        assertThat(report.problems()).isEmpty();
        assertThat(report.files()).singleElement().satisfies(f -> assertThat(f.messages()).isEqualTo(4));
        TraceDetail a = trace(A);
        assertThat(a.messageCount()).isEqualTo(4);
        assertThat(a.toolCallCount()).isEqualTo(3);
        assertThat(a.tokens()).isEqualTo(A_TOKENS);
        assertThat(a.projectName()).isEqualTo("calendar-app");
        assertThat(rows(A)).extracting(Message::text).startsWith("The date test fails on CI, can you fix it? @src/test/DateTest.java");

        Files.createDirectories(dir.resolve("migrated"));
        Files.move(db, dir.resolve("migrated/opencode.db"));
        Files.move(storageDir, dir.resolve("migrated/storage"));
        assertThat(live().sync(List.of(dir.resolve("migrated/storage"))).problems()).as("files OpenCode moved into its database")
                .singleElement().satisfies(p -> assertThat(p.reason()).isEqualTo("no session files under this directory"));
        Files.move(dir.resolve("migrated/storage"), storageDir);

        Files.writeString(storageDir.resolve("message/" + A + "/msg_ffffffffffff0000000000000.json"), "{\"role\":\"user\",");
        int before = storage.writes();
        SyncReport again = live().sync(List.of(storageDir));
        assertThat(storage.writes()).as("a message file being written waits").isEqualTo(before);
        assertThat(again.files()).singleElement().satisfies(f -> assertThat(f.complete()).isFalse());
    }

    @Test
    @DisplayName("a sync over an unchanged database writes nothing; a grown session sends only what is new, the count exact with no recount")
    void unchangedWritesNothing_grownSendsTheNew() throws SQLException {
        live().sync(List.of(dir));
        int writes = storage.writes();

        SyncReport again = live().sync(List.of(dir));
        assertThat(storage.writes()).isEqualTo(writes);
        assertThat(again.messages()).isZero();

        long now = System.currentTimeMillis();
        try (Connection c = writer()) {
            insert(c, A, "msg_1a0000000001Prompt00003", now, prompt(now), text("And the docs?"));
            insert(c, A, "msg_1a0000000002Reply000003", now, reply(now, now + 1, 11), text("Updated."));
        }
        SyncReport grown = live().sync(List.of(dir));

        assertThat(grown.files()).extracting(SyncedFile::messages).containsExactly(0, 2);
        assertThat(trace(A).messageCount()).isEqualTo(6).isEqualTo(rows(A).size());
        assertThat(trace(A).tokens()).isEqualTo(A_TOKENS.plus(TokenUsage.of(11, 7)));
        assertThat(trace(A).model()).isEqualTo("claude-opus-4-1");
        assertThat(storage.batches).isEqualTo(3);
        assertThat(storage.recounts).isZero();
    }

    @Test
    @DisplayName("one message per batch, the acknowledgement of one lost: the retry finds it landed, nothing counted twice")
    void lostAcknowledgement() {
        storage.acknowledgementsToLose = 1;
        SyncReport report = SessionSync.builder(store).namespace("me").batchSize(1).quietPeriod(Duration.ofHours(1)).build()
                .sync(List.of(dir));

        assertThat(report.files()).extracting(SyncedFile::batches).containsExactly(2, 4);
        assertThat(trace(A).messageCount()).isEqualTo(4).isEqualTo(rows(A).size());
        assertThat(trace(A).tokens()).isEqualTo(A_TOKENS);
        assertThat(trace(B).messageCount()).isEqualTo(2);
        assertThat(storage.recounts).isZero();
    }

    @Test
    @DisplayName("a reply still streaming is held back, with what follows it; sent once complete, or once quiet")
    void streamingReplyHeldBack() throws SQLException {
        live().sync(List.of(dir));
        long now = System.currentTimeMillis();
        try (Connection c = writer()) {
            insert(c, A, "msg_1a0000000001Prompt00003", now, prompt(now), text("And the docs?"));
            insert(c, A, "msg_1a0000000002Reply000003", now, reply(now, null, 11), text("Updat"));
        }
        SyncReport streaming = live().sync(List.of(dir));

        assertThat(streaming.files()).filteredOn(f -> f.sessionId().equals(A)).singleElement()
                .satisfies(f -> assertThat(f.complete()).isFalse());
        assertThat(rows(A)).extracting(Message::text).endsWith("And the docs?");

        try (Connection c = writer(); Statement s = c.createStatement()) {
            s.executeUpdate("UPDATE message SET data = '" + reply(now, now + 5, 11) + "' WHERE id = 'msg_1a0000000002Reply000003'");
            s.executeUpdate("UPDATE part SET data = '" + text("Updated.") + "' WHERE message_id = 'msg_1a0000000002Reply000003'");
        }
        live().sync(List.of(dir));
        assertThat(rows(A)).extracting(Message::text).endsWith("And the docs?", "Updated.");
        assertThat(trace(A).messageCount()).isEqualTo(6);

        try (Connection c = writer()) {
            insert(c, A, "msg_1a0000000003Prompt00004", now, prompt(now), text("One more"));
        }
        live().sync(List.of(dir));
        assertThat(trace(A).messageCount()).as("a prompt waits for its reply to begin: its parts come after it").isEqualTo(6);
        SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofSeconds(5))
                .clock(java.time.Clock.offset(java.time.Clock.systemUTC(), Duration.ofMinutes(1))).build().sync(List.of(dir));
        assertThat(trace(A).messageCount()).as("quiet since: sent as it is").isEqualTo(7);
        assertThat(storage.recounts).isZero();
    }

    @Test
    @DisplayName("a revert removes the last turn: the trace keeps its id and shows what the session now holds, count and totals exact")
    void revert() throws SQLException {
        live().sync(List.of(dir));
        long id = trace(A).id();
        try (Connection c = writer(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM part WHERE message_id IN ('" + U2 + "', '" + A2 + "')");
            s.executeUpdate("DELETE FROM message WHERE id IN ('" + U2 + "', '" + A2 + "')");
        }
        SyncReport reverted = live().sync(List.of(dir));

        assertThat(reverted.files()).filteredOn(f -> f.sessionId().equals(A)).singleElement()
                .satisfies(f -> assertThat(f.resynced()).isTrue());
        assertThat(trace(A).id()).isEqualTo(id);
        assertThat(trace(A).messageCount()).isEqualTo(2).isEqualTo(rows(A).size());
        assertThat(trace(A).tokens()).isEqualTo(TokenUsage.of(1350, 180).withCache(7200, 500));
        assertThat(trace(B).messageCount()).as("the other session untouched").isEqualTo(2);

        int writes = storage.writes();
        live().sync(List.of(dir));
        assertThat(storage.writes()).as("and then nothing to write").isEqualTo(writes);
    }

    @Test
    @DisplayName("bad records are reported with their session and id, the rest synced; a file named opencode.db that is no database is reported")
    void badInput() throws Exception {
        live().sync(List.of(dir));
        long at = 1_789_376_500_000L;
        try (Connection c = writer()) {
            insert(c, A, "msg_1a0000000001Prompt00003", at, "not JSON", text("lost"));
            insert(c, A, "msg_1a0000000002Prompt00004", at, "{\"role\":\"system\",\"time\":{\"created\":1}}", text("?"));
            insert(c, A, "msg_1a0000000003Prompt00005", at, prompt(at), text("kept"), "{\"type\":");
            insert(c, A, "msg_1a0000000004Reply000005", at, reply(at, at + 1, 5), text("Done."));
        }
        SyncReport report = live().sync(List.of(dir));

        assertThat(report.problems()).extracting(SyncProblem::reason).containsExactly(
                "session " + A + ": message msg_1a0000000001Prompt00003: not a JSON object: skipped",
                "session " + A + ": message msg_1a0000000002Prompt00004: role system is not OpenCode's: skipped",
                "session " + A + ": message msg_1a0000000003Prompt00005: part prt_1a00000000031Zz is not a JSON object: left out");
        assertThat(rows(A)).extracting(Message::text).endsWith("kept", "Done.");
        assertThat(trace(A).messageCount()).isEqualTo(6).isEqualTo(rows(A).size());
        assertThat(live().sync(List.of(dir)).problems()).as("reported once: the cursor is past them").isEmpty();

        Path notADatabase = dir.resolve("other/opencode.db");
        Files.createDirectories(notADatabase.getParent());
        Files.writeString(notADatabase, "these are not the bytes of a SQLite database");
        assertThat(live().sync(List.of(notADatabase)).problems()).singleElement()
                .satisfies(p -> assertThat(p.reason()).startsWith("cannot read"));
    }

    @Test
    @DisplayName("a follower sees what OpenCode commits to the write-ahead log, before any checkpoint touches the database file")
    void followerWatchesTheWal() throws Exception {
        live().sync(List.of(dir));
        Follower follower = SessionSync.builder(store).namespace("me").quietPeriod(Duration.ofHours(1)).build()
                .follow(List.of(dir), Duration.ofMillis(20), r -> { });
        try (Connection c = writer()) {
            Thread.sleep(100); // a first pass over the unchanged database
            long now = System.currentTimeMillis();
            insert(c, A, "msg_1a0000000001Prompt00003", now, prompt(now), text("And the docs?"));
            insert(c, A, "msg_1a0000000002Reply000003", now, reply(now, now + 1, 11), text("Updated."));
            assertThat(Files.size(db.resolveSibling("opencode.db-wal"))).isPositive();
            for (int i = 0; i < 500 && trace(A).messageCount() < 6; i++) {
                Thread.sleep(10);
            }
            assertThat(trace(A).messageCount()).as("the new exchange within 5 s").isEqualTo(6);
        } finally {
            follower.close();
        }
        assertThat(Optional.of(trace(A).messageCount())).contains((long) rows(A).size());
    }
}
