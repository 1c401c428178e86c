package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import dev.tracestore.cassandra.node.CassandraNode;
import dev.tracestore.cassandra.node.NodeConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Cassandra 5.0 node this module's tests run on, and their keyspace. One node per test JVM,
 * started on first use in a child JVM (by {@code cassandra-node}) on free loopback ports, with
 * its data under {@code target/}, stopped and removed when the JVM exits; a child whose parent
 * dies exits by itself. The keyspace has replication factor 1 and is migrated once.
 */
final class TestCassandra {
    static final String KEYSPACE = "tracestore";
    /**
     * The tables whose rows a test leaves for the next one to see: keys, lists, and the two
     * bookkeeping tables. Rows keyed by trace id need no clearing: ids are never reused, since
     * {@code id_blocks} is never cleared (and a deleted counter must never be used again).
     */
    private static final List<String> SHARED_TABLES = List.of("trace_keys", "trace_ids", "traces_by_namespace",
            "pending_deletions", "unknown_counts", "share_keys");
    private static final Duration SLOW = Duration.ofMinutes(1);
    private static CassandraNode node;
    private static CqlSession session;

    private TestCassandra() {
    }

    /** The session on the shared node, with the keyspace created and migrated. */
    static synchronized CqlSession session() {
        if (session == null) {
            Path data = dataDirectory();
            node = CassandraNode.start(NodeConfig.builder(data).nativePort(0).storagePort(0).build());
            Runtime.getRuntime().addShutdownHook(new Thread(() -> shutDown(data), "tracestore-test-node-stop"));
            System.out.printf("Cassandra test node: %s, started in %.1f s, log %s%n", node, node.startupTime().toMillis() / 1e3,
                    node.logFile());
            session = connect();
            session.execute(SimpleStatement.newInstance("CREATE KEYSPACE IF NOT EXISTS " + KEYSPACE
                    + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}").setTimeout(SLOW));
            CassandraTraceStorage.create(session, KEYSPACE).migrate();
        }
        return session;
    }

    /** A new session on the shared node; the caller closes it. */
    static CqlSession connect() {
        if (node == null) {
            session();
        }
        return CqlSession.builder()
                .addContactPoint(node.nativeAddress())
                .withLocalDatacenter(CassandraNode.DATACENTER)
                // A loaded 2-core machine runs the node and the tests: give requests more than the default 2 s.
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                        .build())
                .build();
    }

    /** Empties the tables whose rows would leak from one test into the next. */
    static void clear() {
        for (String table : SHARED_TABLES) {
            session().execute(SimpleStatement.newInstance("TRUNCATE " + KEYSPACE + "." + table).setTimeout(SLOW));
        }
    }

    /** Makes a trace's count unknown, as the kit's hook requires: the flag, and the row the backfill finds. */
    static void forgetMessageCount(long traceId) {
        session().execute("UPDATE " + KEYSPACE + ".traces SET count_unknown = true WHERE id = ?", traceId);
        session().execute("INSERT INTO " + KEYSPACE + ".unknown_counts (shard, trace_id) VALUES (?, ?)",
                Bookkeeping.shard(traceId), traceId);
    }

    /**
     * Makes a trace look as one created under schema version 1 looks after the version 2
     * ALTERs: no totals flag, offsets or latest message on the trace, no usage or tool calls on
     * its message rows, its totals counters at zero; and the keyspace as if just upgraded, its
     * scan for such traces not run yet.
     */
    static void asVersion1(long traceId) {
        session().execute("DELETE totals_known, last_message_at, tool_calls_offset, input_tokens_offset,"
                + " output_tokens_offset, cache_read_tokens_offset, cache_write_tokens_offset FROM " + KEYSPACE
                + ".traces WHERE id = ?", traceId);
        for (com.datastax.oss.driver.api.core.cql.Row r : session().execute("SELECT seq, external_id FROM " + KEYSPACE
                + ".messages WHERE trace_id = ?", traceId)) {
            session().execute("DELETE usage, tool_calls FROM " + KEYSPACE + ".messages WHERE trace_id = ? AND seq = ?"
                    + " AND external_id = ?", traceId, r.getLong(0), r.getString(1));
        }
        com.datastax.oss.driver.api.core.cql.Row c = session().execute("SELECT tool_calls, input_tokens, output_tokens,"
                + " cache_read_tokens, cache_write_tokens FROM " + KEYSPACE + ".trace_counts WHERE trace_id = ?", traceId).one();
        if (c != null) {
            Counters now = new Counters(0, c.getLong(0), c.getLong(1), c.getLong(2), c.getLong(3), c.getLong(4));
            session().execute("UPDATE " + KEYSPACE + ".trace_counts SET tool_calls = tool_calls - ?,"
                    + " input_tokens = input_tokens - ?, output_tokens = output_tokens - ?,"
                    + " cache_read_tokens = cache_read_tokens - ?, cache_write_tokens = cache_write_tokens - ?"
                    + " WHERE trace_id = ?", now.toolCalls(), now.inputTokens(), now.outputTokens(),
                    now.cacheReadTokens(), now.cacheWriteTokens(), traceId);
        }
        session().execute("DELETE FROM " + KEYSPACE + ".upgrade_scans WHERE name = 'v2_totals'");
    }

    /** The rows of a trace in both message tables, counted in Cassandra. */
    static long storedMessages(long traceId) {
        long rows = 0;
        for (String table : List.of("message_keys", "messages")) {
            rows += session().execute(SimpleStatement.newInstance("SELECT COUNT(*) FROM " + KEYSPACE + "." + table
                    + " WHERE trace_id = ?", traceId).setTimeout(SLOW)).one().getLong(0);
        }
        return rows;
    }

    private static Path dataDirectory() {
        try {
            Path target = Files.createDirectories(Path.of("target"));
            return Files.createTempDirectory(target, "cassandra-node-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void shutDown(Path data) {
        try {
            session.close();
        } finally {
            node.close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                System.err.println("could not remove " + data + ": " + e);
            }
        }
    }
}
