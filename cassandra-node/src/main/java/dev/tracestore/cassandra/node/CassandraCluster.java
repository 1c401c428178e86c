package dev.tracestore.cassandra.node;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A cluster of {@link CassandraNode}s on one machine: node {@code i} (from 1) listens on
 * {@code 127.0.0.i}, all on the same CQL and storage ports, with its directory
 * {@code node<i>} under the cluster's base directory. Node 1 is the only seed.
 *
 * <pre>{@code
 * try (CassandraCluster cluster = CassandraCluster.builder(tempDir).size(3).nativePort(0).storagePort(0).start()) {
 *     cluster.node(3).stop();      // QUORUM still succeeds with RF 3
 *     cluster.node(3).restart();
 *     cluster.awaitAllUp(Duration.ofMinutes(1));
 * }
 * }</pre>
 *
 * <p>{@link Builder#start()} starts the nodes one after the other, seed first (Cassandra joins
 * nodes one at a time), each with evenly spaced tokens and {@code auto_bootstrap: false}: the
 * cluster is new and empty, so nothing needs streaming. It returns once every node sees every
 * other as alive. Memory: each node takes its heap plus about 300 MB (see
 * {@link NodeConfig.Builder#heapMegabytes(int)}). Thread-safe, as its nodes are.
 */
public final class CassandraCluster implements AutoCloseable {
    private final List<CassandraNode> nodes;

    private CassandraCluster(List<CassandraNode> nodes) {
        this.nodes = List.copyOf(nodes);
    }

    /**
     * A builder for a cluster whose nodes keep their directories under {@code baseDirectory}.
     *
     * @throws NullPointerException if {@code baseDirectory} is null
     */
    public static Builder builder(Path baseDirectory) {
        return new Builder(Objects.requireNonNull(baseDirectory, "baseDirectory"));
    }

    /** The nodes, node 1 first. */
    public List<CassandraNode> nodes() {
        return nodes;
    }

    /**
     * Node {@code number}, counted from 1 as its address is: {@code node(3)} listens on 127.0.0.3.
     *
     * @throws IllegalArgumentException if there is no such node
     */
    public CassandraNode node(int number) {
        if (number < 1 || number > nodes.size()) {
            throw new IllegalArgumentException("number must be 1 to " + nodes.size() + ": " + number);
        }
        return nodes.get(number - 1);
    }

    /** The CQL port, the same on every node. */
    public int nativePort() {
        return nodes.get(0).nativePort();
    }

    /** The CQL addresses of the nodes that are running now. */
    public List<InetSocketAddress> contactPoints() {
        return nodes.stream().filter(CassandraNode::isRunning).map(CassandraNode::nativeAddress).toList();
    }

    /**
     * Waits until every running node sees every running node as alive (its gossip view, which
     * is what a coordinator checks a consistency level against).
     *
     * @throws IllegalStateException if that does not happen within {@code timeout}, naming each
     *     node's view, or if the thread is interrupted (the interrupt flag is kept)
     */
    public void awaitAllUp(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<CassandraNode> running = nodes.stream().filter(CassandraNode::isRunning).toList();
            Set<InetAddress> expected = running.stream().map(CassandraNode::address).collect(Collectors.toSet());
            if (running.stream().allMatch(node -> node.liveNodes().containsAll(expected))) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                StringBuilder views = new StringBuilder();
                for (CassandraNode node : running) {
                    views.append("\n  ").append(node.address().getHostAddress()).append(" sees ")
                            .append(node.liveNodes().stream().map(InetAddress::getHostAddress).sorted().toList())
                            .append(" (log: ").append(node.logFile()).append(')');
                }
                throw new IllegalStateException("the running nodes did not all see each other as alive within "
                        + timeout + ":" + views);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the cluster's nodes to see each other", e);
            }
        }
    }

    /**
     * Stops every running node gracefully, the last node first; the directories stay. Tries
     * every node even if one fails to stop, then throws the first failure with the others
     * suppressed.
     */
    @Override
    public void close() {
        RuntimeException failure = null;
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    @Override
    public String toString() {
        return "Cassandra cluster of " + nodes.size() + " nodes on 127.0.0.1 to 127.0.0." + nodes.size()
                + " (CQL port " + nativePort() + ")";
    }

    /**
     * The token that node {@code index} (from 0) of {@code size} nodes owns as its
     * {@code vnode}-th token (from 0) of {@code numTokens}: the ring split into
     * {@code size * numTokens} equal ranges, the nodes taking turns.
     */
    static long token(int index, int size, int vnode, int numTokens) {
        BigInteger ranges = BigInteger.valueOf((long) size * numTokens);
        BigInteger step = BigInteger.ONE.shiftLeft(64).divide(ranges);
        BigInteger position = BigInteger.valueOf((long) vnode * size + index);
        return BigInteger.valueOf(Long.MIN_VALUE).add(step.multiply(position)).longValueExact();
    }

    /**
     * Builds and starts a {@link CassandraCluster}. Setters only record; {@link #start()} checks.
     * Not thread-safe.
     */
    public static final class Builder {
        private final Path baseDirectory;
        private int size = 3;
        private int nativePort = NodeConfig.DEFAULT_NATIVE_PORT;
        private int storagePort = NodeConfig.DEFAULT_STORAGE_PORT;
        private Consumer<NodeConfig.Builder> configure = node -> { };
        private Duration upTimeout = Duration.ofMinutes(2);

        private Builder(Path baseDirectory) {
            this.baseDirectory = baseDirectory;
        }

        /** How many nodes, 1 to 9; default 3. */
        public Builder size(int size) {
            this.size = size;
            return this;
        }

        /**
         * The CQL port of every node, 0 to 65535; default {@value NodeConfig#DEFAULT_NATIVE_PORT}.
         * 0 picks a port that is free on every node's address.
         */
        public Builder nativePort(int nativePort) {
            this.nativePort = nativePort;
            return this;
        }

        /**
         * The storage port of every node, 0 to 65535; default {@value NodeConfig#DEFAULT_STORAGE_PORT}.
         * 0 picks a port that is free on every node's address.
         */
        public Builder storagePort(int storagePort) {
            this.storagePort = storagePort;
            return this;
        }

        /**
         * Adjusts every node's configuration: heap, tokens, cluster name, settings, JVM options.
         * The cluster then sets each node's directory, address, seeds, ports and (unless given)
         * tokens, replacing what {@code configure} set for those.
         */
        public Builder configure(Consumer<NodeConfig.Builder> configure) {
            this.configure = Objects.requireNonNull(configure, "configure");
            return this;
        }

        /** How long {@link #start()} waits, after the last node answers CQL, for all to see each other; default 2 minutes. */
        public Builder upTimeout(Duration upTimeout) {
            this.upTimeout = Objects.requireNonNull(upTimeout, "upTimeout");
            return this;
        }

        /**
         * Starts the nodes one after the other, node 1 (the seed) first, and returns once every
         * node sees every other as alive. If one fails, the ones already started are stopped.
         *
         * @throws IllegalArgumentException if a setting is out of range
         * @throws IllegalStateException as {@link CassandraNode#start(NodeConfig)} and
         *     {@link CassandraCluster#awaitAllUp(Duration)} do
         */
        public CassandraCluster start() {
            if (size < 1 || size > 9) {
                throw new IllegalArgumentException("size must be 1 to 9: " + size);
            }
            NodeConfig.Builder templateBuilder = NodeConfig.builder(baseDirectory.resolve("node1"));
            configure.accept(templateBuilder);
            NodeConfig template = templateBuilder.build();
            List<InetAddress> addresses = new ArrayList<>();
            for (int i = 1; i <= size; i++) {
                addresses.add(NodeConfig.loopback(127, 0, 0, i));
            }
            int nativePortUsed = nativePort == 0 ? sharedFreePort(addresses, storagePort) : nativePort;
            int storagePortUsed = storagePort == 0 ? sharedFreePort(addresses, nativePortUsed) : storagePort;

            List<CassandraNode> started = new ArrayList<>();
            try {
                for (int i = 1; i <= size; i++) {
                    NodeConfig.Builder node = template.toBuilder()
                            .dataDirectory(baseDirectory.resolve("node" + i))
                            .address("127.0.0." + i)
                            .seeds(List.of("127.0.0.1"))
                            .nativePort(nativePortUsed)
                            .storagePort(storagePortUsed);
                    if (template.initialTokens().isEmpty()) {
                        List<Long> tokens = new ArrayList<>();
                        for (int vnode = 0; vnode < template.numTokens(); vnode++) {
                            tokens.add(token(i - 1, size, vnode, template.numTokens()));
                        }
                        node.initialTokens(tokens);
                    }
                    started.add(CassandraNode.start(node.build()));
                }
                CassandraCluster cluster = new CassandraCluster(started);
                cluster.awaitAllUp(upTimeout);
                return cluster;
            } catch (RuntimeException e) {
                for (CassandraNode node : started) {
                    try {
                        node.kill();
                    } catch (RuntimeException suppressed) {
                        e.addSuppressed(suppressed);
                    }
                }
                throw e;
            }
        }

        /** A port free on every one of {@code addresses} right now, other than {@code not}. */
        private static int sharedFreePort(List<InetAddress> addresses, int not) {
            for (int attempt = 0; attempt < 50; attempt++) {
                int candidate = CassandraNode.freePort(addresses.get(0), not);
                if (addresses.stream().skip(1).allMatch(address -> isFree(address, candidate))) {
                    return candidate;
                }
            }
            throw new IllegalStateException("no port free on all of " + addresses + " after 50 attempts. On macOS,"
                    + " addresses other than 127.0.0.1 need an alias first (sudo ifconfig lo0 alias 127.0.0.2).");
        }

        private static boolean isFree(InetAddress address, int port) {
            try {
                new ServerSocket(port, 1, address).close();
                return true;
            } catch (IOException e) {
                return false;
            }
        }
    }
}
