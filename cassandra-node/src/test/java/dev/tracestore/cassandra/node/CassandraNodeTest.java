package dev.tracestore.cassandra.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real Cassandra node, started by the test: it answers CQL through the DataStax driver,
 * keeps its data across a graceful stop and across a kill, and fails to start with its log in
 * the exception. Runs in every build; it needs nothing but the classpath the build resolves.
 */
class CassandraNodeTest {
    @TempDir
    Path dir;

    @Test
    void node_answersCql_andKeepsAcknowledgedWritesAcrossStopAndKill() throws InterruptedException {
        NodeConfig config = NodeConfig.builder(dir).nativePort(0).storagePort(0).build();
        CassandraNode node = CassandraNode.start(config);
        try (node) {
            System.out.println(Cql.measure("first start", node));
            assertThat(node.isRunning()).isTrue();
            assertThat(node.nativePort()).isPositive();

            try (CqlSession session = Cql.session(List.of(node.nativeAddress()))) {
                session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
                session.execute("CREATE TABLE ks.t (id int PRIMARY KEY, v text)");
                insert(session, 0, 100);
                assertThat(count(session)).isEqualTo(100);
                assertThat(session.execute("SELECT v FROM ks.t WHERE id = 42").one().getString("v")).isEqualTo("v42");
            }

            long stopping = System.nanoTime();
            node.stop();
            System.out.printf("cassandra-node: graceful stop took %.1f s%n", (System.nanoTime() - stopping) / 1e9);
            assertThat(node.isRunning()).isFalse();
            assertThat(CassandraNode.answersCql(node.nativeAddress())).isFalse();

            node.restart();
            System.out.println(Cql.measure("restart after stop", node));
            try (CqlSession session = Cql.session(List.of(node.nativeAddress()))) {
                assertThat(count(session)).as("rows after a graceful stop").isEqualTo(100);
                insert(session, 100, 200);
            }

            node.kill();
            assertThat(node.isRunning()).isFalse();
            node.restart();
            System.out.println(Cql.measure("restart after kill", node));
            try (CqlSession session = Cql.session(List.of(node.nativeAddress()))) {
                assertThat(count(session)).as("rows after SIGKILL, replayed from the commit log").isEqualTo(200);
            }
            awaitLive(node);
        }
        assertThat(node.isRunning()).isFalse();
        assertThat(node.logFile()).content().contains("Starting listening for CQL clients");
    }

    @Test
    void start_whenCassandraRefusesItsConfiguration_failsWithTheEndOfItsLog() {
        NodeConfig config = NodeConfig.builder(dir).nativePort(0).storagePort(0)
                .setting("no_such_setting", "1").startupTimeout(Duration.ofMinutes(2)).build();

        assertThatThrownBy(() -> CassandraNode.start(config))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exited with status")
                .hasMessageContaining("--- last lines of " + dir.resolve("logs/system.log"))
                .hasMessageContaining("no_such_setting");
    }

    @Test
    void start_onATakenPort_failsBeforeLaunchingAJvm() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            NodeConfig config = NodeConfig.builder(dir).nativePort(taken.getLocalPort()).storagePort(0).build();

            assertThatThrownBy(() -> CassandraNode.start(config))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("its native (CQL) port 127.0.0.1:" + taken.getLocalPort() + " is not available")
                    .hasMessageContaining("use port 0 for a free one");
        }
        assertThat(dir.resolve("logs/output.log")).doesNotExist();
    }

    /** The node's own gossip view, which NodeMain reports every 200 ms, names the node itself. */
    private static void awaitLive(CassandraNode node) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!node.liveNodes().contains(node.address())) {
            assertThat(System.nanoTime() - deadline).as("nanoseconds past the deadline for liveNodes()").isNegative();
            Thread.sleep(50);
        }
    }

    private static void insert(CqlSession session, int from, int to) {
        PreparedStatement insert = session.prepare("INSERT INTO ks.t (id, v) VALUES (?, ?)");
        for (int id = from; id < to; id++) {
            session.execute(insert.bind(id, "v" + id));
        }
    }

    private static long count(CqlSession session) {
        return session.execute("SELECT count(*) FROM ks.t").one().getLong(0);
    }
}
