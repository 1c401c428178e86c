package dev.tracestore.cassandra.node;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How to run one {@link CassandraNode}: its address, ports, directory, heap and tokens, plus
 * extra {@code cassandra.yaml} settings and JVM options. Immutable and thread-safe; build one
 * with {@link #builder(Path)}, derive another with {@link #toBuilder()}.
 *
 * <p>The defaults make a small, fast test node: a 256 MB heap, one token, periodic commit log
 * sync, no snapshots on {@code DROP}/{@code TRUNCATE}, thread pools sized for 2 processors. See
 * {@link Builder} for each setting and {@link CassandraNode} for the JVM options it always adds.
 */
public final class NodeConfig {
    /** Cassandra's default CQL (native protocol) port. */
    public static final int DEFAULT_NATIVE_PORT = 9042;
    /** Cassandra's default inter-node (storage) port. */
    public static final int DEFAULT_STORAGE_PORT = 7000;
    /** The system property that {@link Builder#javaHome(Path)} defaults to, before {@code java.home}. */
    public static final String JAVA_HOME_PROPERTY = "tracestore.cassandra.java.home";

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
    private static final Pattern SETTING_KEY = Pattern.compile("[a-z][a-z0-9_]*");
    /** Keys that a {@link Builder} method owns; {@link Builder#setting} refuses them. */
    private static final Map<String, String> OWNED_KEYS = Map.ofEntries(
            Map.entry("cluster_name", "clusterName"),
            Map.entry("num_tokens", "numTokens"),
            Map.entry("initial_token", "initialTokens"),
            Map.entry("listen_address", "address"),
            Map.entry("rpc_address", "address"),
            Map.entry("broadcast_address", "address"),
            Map.entry("broadcast_rpc_address", "address"),
            Map.entry("storage_port", "storagePort"),
            Map.entry("native_transport_port", "nativePort"),
            Map.entry("seed_provider", "seeds"),
            Map.entry("data_file_directories", "dataDirectory"),
            Map.entry("commitlog_directory", "dataDirectory"),
            Map.entry("saved_caches_directory", "dataDirectory"),
            Map.entry("hints_directory", "dataDirectory"),
            Map.entry("cdc_raw_directory", "dataDirectory"),
            Map.entry("local_system_data_file_directory", "dataDirectory"));

    private final Path dataDirectory;
    private final InetAddress address;
    private final List<InetAddress> seeds;
    private final String clusterName;
    private final int nativePort;
    private final int storagePort;
    private final int heapMegabytes;
    private final int numTokens;
    private final List<Long> initialTokens;
    private final int processors;
    private final Path javaHome;
    private final Duration startupTimeout;
    private final Duration shutdownTimeout;
    private final Map<String, String> settings;
    private final List<String> jvmOptions;

    private NodeConfig(Builder b) {
        this.dataDirectory = b.dataDirectory.toAbsolutePath().normalize();
        this.address = b.address;
        this.seeds = List.copyOf(b.seeds.isEmpty() ? List.of(b.address) : b.seeds);
        this.clusterName = b.clusterName;
        this.nativePort = b.nativePort;
        this.storagePort = b.storagePort;
        this.heapMegabytes = b.heapMegabytes;
        this.numTokens = b.numTokens;
        this.initialTokens = List.copyOf(b.initialTokens);
        this.processors = b.processors;
        this.javaHome = b.javaHome.toAbsolutePath().normalize();
        this.startupTimeout = b.startupTimeout;
        this.shutdownTimeout = b.shutdownTimeout;
        this.settings = Collections.unmodifiableMap(new LinkedHashMap<>(b.settings));
        this.jvmOptions = List.copyOf(b.jvmOptions);
    }

    /**
     * A builder for a node that keeps everything under {@code dataDirectory} (created if absent):
     * its data, commit log, hints, configuration and logs. Reusing the directory of a stopped node
     * restarts that node with its data.
     *
     * @throws NullPointerException if {@code dataDirectory} is null
     */
    public static Builder builder(Path dataDirectory) {
        return new Builder(Objects.requireNonNull(dataDirectory, "dataDirectory"));
    }

    /** A builder holding this configuration's values. */
    public Builder toBuilder() {
        Builder b = new Builder(dataDirectory);
        b.address = address;
        b.seeds = new ArrayList<>(seeds);
        b.clusterName = clusterName;
        b.nativePort = nativePort;
        b.storagePort = storagePort;
        b.heapMegabytes = heapMegabytes;
        b.numTokens = numTokens;
        b.initialTokens = new ArrayList<>(initialTokens);
        b.processors = processors;
        b.javaHome = javaHome;
        b.startupTimeout = startupTimeout;
        b.shutdownTimeout = shutdownTimeout;
        b.settings = new LinkedHashMap<>(settings);
        b.jvmOptions = new ArrayList<>(jvmOptions);
        return b;
    }

    /** The directory holding the node's data, configuration and logs; absolute. */
    public Path dataDirectory() {
        return dataDirectory;
    }

    /** The loopback address the node listens on, for CQL clients and for other nodes. */
    public InetAddress address() {
        return address;
    }

    /** The seed nodes' addresses (on this node's storage port); this node's own address by default. */
    public List<InetAddress> seeds() {
        return seeds;
    }

    /** The cluster name; nodes only join a cluster of the same name. */
    public String clusterName() {
        return clusterName;
    }

    /** The CQL port; 0 means a free port chosen when the node first starts. */
    public int nativePort() {
        return nativePort;
    }

    /** The inter-node port; 0 means a free port chosen when the node first starts. */
    public int storagePort() {
        return storagePort;
    }

    /** The child JVM's heap ({@code -Xms} and {@code -Xmx}), in MiB. */
    public int heapMegabytes() {
        return heapMegabytes;
    }

    /** How many tokens (vnodes) the node owns. */
    public int numTokens() {
        return numTokens;
    }

    /** The node's tokens; empty lets Cassandra pick them at random on the first start. */
    public List<Long> initialTokens() {
        return initialTokens;
    }

    /** How many processors Cassandra sizes its thread pools for. */
    public int processors() {
        return processors;
    }

    /** The Java runtime that runs the node. */
    public Path javaHome() {
        return javaHome;
    }

    /** How long a start may take until the node answers CQL. */
    public Duration startupTimeout() {
        return startupTimeout;
    }

    /** How long a graceful stop may take before the node is killed. */
    public Duration shutdownTimeout() {
        return shutdownTimeout;
    }

    /** Extra {@code cassandra.yaml} settings, key to YAML value, in the order they were set. */
    public Map<String, String> settings() {
        return settings;
    }

    /** Extra JVM options, appended after the ones {@link CassandraNode} always passes. */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    @Override
    public String toString() {
        return "NodeConfig[" + address.getHostAddress() + ", native port " + nativePort + ", storage port "
                + storagePort + ", cluster " + clusterName + ", heap " + heapMegabytes + " MiB, " + dataDirectory + "]";
    }

    /**
     * Builds a {@link NodeConfig}. Setters only record; {@link #build()} checks every value and
     * names the first one it refuses. Not thread-safe.
     */
    public static final class Builder {
        private Path dataDirectory;
        private InetAddress address = loopback(127, 0, 0, 1);
        private List<InetAddress> seeds = new ArrayList<>();
        private String clusterName = "tracestore-test";
        private int nativePort = DEFAULT_NATIVE_PORT;
        private int storagePort = DEFAULT_STORAGE_PORT;
        private int heapMegabytes = 256;
        private int numTokens = 1;
        private List<Long> initialTokens = new ArrayList<>();
        private int processors = 2;
        private Path javaHome = Path.of(System.getProperty(JAVA_HOME_PROPERTY, System.getProperty("java.home")));
        private Duration startupTimeout = Duration.ofMinutes(3);
        private Duration shutdownTimeout = Duration.ofMinutes(1);
        private Map<String, String> settings = new LinkedHashMap<>();
        private List<String> jvmOptions = new ArrayList<>();

        private Builder(Path dataDirectory) {
            this.dataDirectory = dataDirectory;
        }

        /** The directory for the node's data, configuration and logs; see {@link NodeConfig#builder(Path)}. */
        public Builder dataDirectory(Path dataDirectory) {
            this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
            return this;
        }

        /**
         * The address to listen on, an IPv4 loopback literal such as {@code "127.0.0.2"}; default
         * {@code 127.0.0.1}. Only loopback addresses are accepted, so that a test node can never
         * be reached from, or join, a network. Linux answers all of 127.0.0.0/8; macOS needs an
         * alias per extra address ({@code sudo ifconfig lo0 alias 127.0.0.2}).
         */
        public Builder address(String address) {
            this.address = parseLoopback("address", address);
            return this;
        }

        /** The seed nodes' addresses (loopback literals); default: this node's own address. */
        public Builder seeds(List<String> seeds) {
            List<InetAddress> parsed = new ArrayList<>();
            for (String seed : Objects.requireNonNull(seeds, "seeds")) {
                parsed.add(parseLoopback("seeds", seed));
            }
            this.seeds = parsed;
            return this;
        }

        /** The cluster name, 1 to 64 of {@code [A-Za-z0-9_.-]}; default {@code tracestore-test}. */
        public Builder clusterName(String clusterName) {
            this.clusterName = clusterName;
            return this;
        }

        /**
         * The CQL port, 0 to 65535; default {@value NodeConfig#DEFAULT_NATIVE_PORT}. 0 picks a free
         * port when the node first starts, so that a developer's own Cassandra does not clash;
         * {@link CassandraNode#nativePort()} tells which, and restarts keep it.
         */
        public Builder nativePort(int nativePort) {
            this.nativePort = nativePort;
            return this;
        }

        /**
         * The inter-node port, 0 to 65535; default {@value NodeConfig#DEFAULT_STORAGE_PORT}. Every
         * node of a cluster must use the same one (each on its own address). 0 picks a free port
         * when the node first starts.
         */
        public Builder storagePort(int storagePort) {
            this.storagePort = storagePort;
            return this;
        }

        /**
         * The heap in MiB, 128 to 32768; default 256, enough for tests. The process takes more
         * than its heap: Cassandra locks the memory it has mapped at startup, and uses direct
         * buffers, metaspace and thread stacks; about 550 MB resident for the default.
         */
        public Builder heapMegabytes(int heapMegabytes) {
            this.heapMegabytes = heapMegabytes;
            return this;
        }

        /** How many tokens (vnodes) the node owns, 1 to 256; default 1. */
        public Builder numTokens(int numTokens) {
            this.numTokens = numTokens;
            return this;
        }

        /**
         * The node's tokens (Murmur3 partitioner), as many as {@link #numTokens(int)}; default none:
         * Cassandra picks random ones on the first start. {@link CassandraCluster} spaces them
         * evenly. Only the first start of a node uses them.
         */
        public Builder initialTokens(List<Long> initialTokens) {
            this.initialTokens = new ArrayList<>(Objects.requireNonNull(initialTokens, "initialTokens"));
            return this;
        }

        /**
         * How many processors Cassandra sizes its thread pools for
         * ({@code -Dcassandra.available_processors}), 1 to 64; default 2, whatever the machine has.
         */
        public Builder processors(int processors) {
            this.processors = processors;
            return this;
        }

        /**
         * The Java runtime to run the node with, which must be Java 17 (Cassandra 5.0 supports
         * 11 and 17, this project 17 and later). Default: the system property
         * {@value NodeConfig#JAVA_HOME_PROPERTY} if set, otherwise the running JVM's
         * {@code java.home}. A test JVM on Java 21 can point this at a Java 17.
         */
        public Builder javaHome(Path javaHome) {
            this.javaHome = Objects.requireNonNull(javaHome, "javaHome");
            return this;
        }

        /** How long a start may take until the node answers CQL, positive; default 3 minutes. */
        public Builder startupTimeout(Duration startupTimeout) {
            this.startupTimeout = Objects.requireNonNull(startupTimeout, "startupTimeout");
            return this;
        }

        /** How long a graceful stop may take before the node is killed, positive; default 1 minute. */
        public Builder shutdownTimeout(Duration shutdownTimeout) {
            this.shutdownTimeout = Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
            return this;
        }

        /**
         * Sets one {@code cassandra.yaml} setting, replacing the default if there is one.
         * {@code yamlValue} is written as it is: a YAML scalar or flow collection on one line,
         * such as {@code "true"}, {@code "512KiB"}, {@code "5000ms"} or {@code "[a, b]"}. Keys that
         * a builder method owns (addresses, ports, directories, tokens, seeds, cluster name) are
         * refused, naming that method.
         *
         * @throws IllegalArgumentException for such a key, a key that is not a lower-case YAML
         *     identifier, or a value that is blank or spans lines
         */
        public Builder setting(String key, String yamlValue) {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(yamlValue, "yamlValue");
            if (!SETTING_KEY.matcher(key).matches()) {
                throw new IllegalArgumentException("setting key must match " + SETTING_KEY + ": '" + key + "'");
            }
            String owner = OWNED_KEYS.get(key);
            if (owner != null) {
                throw new IllegalArgumentException("setting '" + key + "' is set by NodeConfig.Builder." + owner + "(…)");
            }
            if (yamlValue.isBlank() || yamlValue.contains("\n") || yamlValue.contains("\r")) {
                throw new IllegalArgumentException("setting '" + key + "' needs a one-line YAML value: '" + yamlValue + "'");
            }
            settings.put(key, yamlValue);
            return this;
        }

        /** Appends JVM options, after the ones {@link CassandraNode} always passes (so they win). */
        public Builder jvmOptions(String... options) {
            for (String option : options) {
                jvmOptions.add(Objects.requireNonNull(option, "option"));
            }
            return this;
        }

        /**
         * The configuration.
         *
         * @throws IllegalArgumentException naming the first value out of range
         */
        public NodeConfig build() {
            if (clusterName == null || !CLUSTER_NAME.matcher(clusterName).matches()) {
                throw new IllegalArgumentException("clusterName must match " + CLUSTER_NAME + ": '" + clusterName + "'");
            }
            checkRange("nativePort", nativePort, 0, 65535);
            checkRange("storagePort", storagePort, 0, 65535);
            if (nativePort != 0 && nativePort == storagePort) {
                throw new IllegalArgumentException("nativePort and storagePort must differ: both " + nativePort);
            }
            checkRange("heapMegabytes", heapMegabytes, 128, 32768);
            checkRange("numTokens", numTokens, 1, 256);
            if (!initialTokens.isEmpty() && initialTokens.size() != numTokens) {
                throw new IllegalArgumentException("initialTokens must hold numTokens (" + numTokens + ") tokens: "
                        + initialTokens);
            }
            if (initialTokens.contains(null) || Set.copyOf(initialTokens).size() != initialTokens.size()) {
                throw new IllegalArgumentException("initialTokens must be distinct, not null: " + initialTokens);
            }
            checkRange("processors", processors, 1, 64);
            checkPositive("startupTimeout", startupTimeout);
            checkPositive("shutdownTimeout", shutdownTimeout);
            return new NodeConfig(this);
        }

        private static void checkRange(String field, int value, int min, int max) {
            if (value < min || value > max) {
                throw new IllegalArgumentException(field + " must be " + min + " to " + max + ": " + value);
            }
        }

        private static void checkPositive(String field, Duration value) {
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException(field + " must be positive: " + value);
            }
        }
    }

    /** Parses an IPv4 loopback literal, never asking a name service. */
    static InetAddress parseLoopback(String field, String literal) {
        Objects.requireNonNull(literal, field);
        String[] parts = literal.split("\\.", -1);
        byte[] bytes = new byte[4];
        boolean valid = parts.length == 4;
        for (int i = 0; valid && i < 4; i++) {
            valid = parts[i].matches("[0-9]{1,3}") && Integer.parseInt(parts[i]) <= 255;
            if (valid) {
                bytes[i] = (byte) Integer.parseInt(parts[i]);
            }
        }
        if (!valid || bytes[0] != 127) {
            throw new IllegalArgumentException(field + " must be an IPv4 loopback address (127.x.y.z): '" + literal + "'");
        }
        return loopback(bytes[0], bytes[1], bytes[2], bytes[3]);
    }

    static InetAddress loopback(int a, int b, int c, int d) {
        try {
            InetAddress address = InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
            assert address instanceof Inet4Address && address.isLoopbackAddress();
            return address;
        } catch (UnknownHostException e) {
            throw new AssertionError("four bytes are always a valid address", e);
        }
    }
}
