package dev.tracestore.cassandra.node;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;

/** Driver sessions and measurements for the tests. */
final class Cql {
    private Cql() {}

    /**
     * A session to {@code contactPoints}, with timeouts for a shared 2-core machine: a request may
     * wait 20 s (the default 2 s fails DDL under load), schema agreement 60 s.
     */
    static CqlSession session(List<InetSocketAddress> contactPoints) {
        DriverConfigLoader config = DriverConfigLoader.programmaticBuilder()
                .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(20))
                .withDuration(DefaultDriverOption.CONNECTION_INIT_QUERY_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_TIMEOUT, Duration.ofSeconds(10))
                .withDuration(DefaultDriverOption.CONTROL_CONNECTION_AGREEMENT_TIMEOUT, Duration.ofSeconds(60))
                .withDuration(DefaultDriverOption.RECONNECTION_MAX_DELAY, Duration.ofSeconds(1))
                .build();
        return CqlSession.builder()
                .addContactPoints(contactPoints)
                .withLocalDatacenter(CassandraNode.DATACENTER)
                .withConfigLoader(config)
                .build();
    }

    /** One line for the build log: how long the node took to start and how much memory it holds. */
    static String measure(String what, CassandraNode node) {
        OptionalLong rss = node.residentMemoryBytes();
        return String.format("cassandra-node: %s %s: started in %.1f s, RSS %s", what, node.address().getHostAddress(),
                node.startupTime().toMillis() / 1000.0,
                rss.isPresent() ? rss.getAsLong() / (1024 * 1024) + " MiB" : "unknown");
    }
}
