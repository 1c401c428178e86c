package dev.tracestore.cassandra.node;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Apache Cassandra 5.0 node for tests, running in a child JVM started by
 * {@link #start(NodeConfig)}, on a loopback address, with its data, configuration and logs in
 * {@link NodeConfig#dataDirectory()}.
 *
 * <pre>{@code
 * try (CassandraNode node = CassandraNode.start(NodeConfig.builder(tempDir).nativePort(0).build());
 *      CqlSession session = CqlSession.builder()
 *              .addContactPoint(node.nativeAddress()).withLocalDatacenter(CassandraNode.DATACENTER).build()) {
 *     session.execute("CREATE KEYSPACE ks WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}");
 * }
 * }</pre>
 *
 * <p>The child JVM runs the {@code java} of {@link NodeConfig#javaHome()} (Java 17) with
 * Cassandra's own classpath, never the test's; see {@code cassandra-node/README.md} for how the
 * build provides it. Besides Cassandra's Java 17 module options it passes settings that make a
 * test node start fast and stay small: the heap of the config, the serial collector, the C1
 * compiler only, no wait for gossip to settle, no forced flushes of system tables (their writes
 * are still in the commit log), a rough memtable overhead estimate. JMX stays off. The child
 * exits by itself when the JVM that started it exits, even if killed.
 *
 * <p>{@link #stop()} is graceful (SIGTERM: Cassandra drains, announces its shutdown to its
 * peers and flushes); {@link #kill()} is a crash (SIGKILL: acknowledged writes come back from
 * the commit log at the next start); {@link #restart()} starts the node again with the same
 * ports and data. Thread-safe: every method that changes or reads the process is synchronized.
 */
public final class CassandraNode implements AutoCloseable {
    /** The data center every node is in (Cassandra's {@code SimpleSnitch}), for drivers that need it. */
    public static final String DATACENTER = "datacenter1";

    /**
     * The options of Cassandra 5.0's {@code conf/jvm17-server.options} that make it run on Java 17
     * (its JPMS section), plus the Netty settings of the same file.
     */
    private static final List<String> JAVA_17_OPTIONS = List.of(
            "-Djdk.attach.allowAttachSelf=true",
            "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-exports", "java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.registry=ALL-UNNAMED",
            "--add-exports", "java.rmi/sun.rmi.server=ALL-UNNAMED",
            "--add-exports", "java.sql/java.sql=ALL-UNNAMED",
            "--add-exports", "java.base/java.lang.ref=ALL-UNNAMED",
            "--add-exports", "jdk.unsupported/sun.misc=ALL-UNNAMED",
            "--add-exports", "jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED",
            "--add-exports", "jdk.attach/sun.tools.attach=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.loader=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.ref=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.reflect=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.math=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.module=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.util.jar=ALL-UNNAMED",
            "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/java.io=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang.reflect=ALL-UNNAMED",
            "--add-opens", "jdk.compiler/com.sun.tools.javac=ALL-UNNAMED",
            "--add-opens", "java.base/java.lang=ALL-UNNAMED",
            "--add-opens", "java.base/java.util=ALL-UNNAMED",
            "-Dio.netty.tryReflectionSetAccessible=true",
            "-Dio.netty.allocator.useCacheForAllThreads=true",
            "-Dio.netty.allocator.maxOrder=11");
    private static final Pattern JAVA_VERSION = Pattern.compile("(?m)^JAVA_VERSION=\"(\\d+)");
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final int TAIL_LINES = 40;

    private final NodeConfig config;
    private final NodeFiles files;
    private final ServerClasspath classpath;
    private Process process;
    private Duration startupTime = Duration.ZERO;

    private CassandraNode(NodeConfig config, ServerClasspath classpath) {
        this.config = config;
        this.files = new NodeFiles(config.dataDirectory());
        this.classpath = classpath;
    }

    /**
     * Starts a node and returns once it answers CQL (a native protocol {@code OPTIONS} request).
     * A port 0 in {@code config} becomes a free port now, kept by restarts.
     *
     * @throws IllegalStateException if Cassandra's classpath (see {@code cassandra-node/README.md})
     *     or a Java 17 runtime is missing, a port is taken, or the node exits or does not answer
     *     within {@link NodeConfig#startupTimeout()}: the message then holds the end of the node's
     *     log (a node that does not answer in time is killed first)
     * @throws UncheckedIOException if the data directory cannot be written
     */
    public static CassandraNode start(NodeConfig config) {
        Objects.requireNonNull(config, "config");
        ServerClasspath classpath = ServerClasspath.locate();
        requireJava17(config.javaHome());
        NodeConfig resolved = config;
        if (config.nativePort() == 0 || config.storagePort() == 0) {
            int nativePort = config.nativePort() == 0 ? freePort(config.address(), config.storagePort()) : config.nativePort();
            int storagePort = config.storagePort() == 0 ? freePort(config.address(), nativePort) : config.storagePort();
            resolved = config.toBuilder().nativePort(nativePort).storagePort(storagePort).build();
        }
        CassandraNode node = new CassandraNode(resolved, classpath);
        synchronized (node) {
            node.launch();
        }
        return node;
    }

    /**
     * Stops the node gracefully and waits until its process has exited; does nothing if it is not
     * running. Cassandra's shutdown hook stops serving clients, tells the other nodes it is going
     * down, and flushes its memtables.
     *
     * @throws IllegalStateException if it did not exit within {@link NodeConfig#shutdownTimeout()}
     *     (it is killed then), or if the calling thread is interrupted while waiting (the node is
     *     killed, and the interrupt flag kept)
     */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        if (process.isAlive()) {
            long logOffset = size(files.systemLog());
            long outputOffset = size(files.outputLog());
            process.destroy();
            if (!awaitExit(config.shutdownTimeout())) {
                process.destroyForcibly();
                awaitExit(KILL_TIMEOUT);
                release();
                throw new IllegalStateException(this + " did not stop within " + config.shutdownTimeout()
                        + " of SIGTERM; killed it." + tails(logOffset, outputOffset));
            }
        }
        release();
    }

    /**
     * Kills the node's process (SIGKILL), as a crash of the process would, and waits until it is
     * gone; does nothing if it is not running. Writes it acknowledged are in its commit log (a
     * mapped file: the operating system keeps its pages when the process dies) and come back at
     * the next start. A machine crash could lose the last 10 s ({@code commitlog_sync: periodic}),
     * which this cannot simulate. Other nodes notice the death only through their failure detectors.
     *
     * @throws IllegalStateException if the process is still there after 30 s
     */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        if (!awaitExit(KILL_TIMEOUT)) {
            throw new IllegalStateException(this + " is still running 30 s after SIGKILL, pid " + process.pid());
        }
        release();
    }

    /**
     * Starts the node again with the same configuration, ports and data, stopping it gracefully
     * first if it runs, and returns once it answers CQL.
     *
     * @throws IllegalStateException as {@link #stop()} and {@link #start(NodeConfig)} do
     */
    public synchronized void restart() {
        stop();
        launch();
    }

    /** Whether the node's process is alive (it may be starting or stopping). */
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the node gracefully, as {@link #stop()}; the data directory stays. */
    @Override
    public void close() {
        stop();
    }

    /** The configuration, with the ports that a port 0 resolved to. */
    public NodeConfig config() {
        return config;
    }

    /** The node's loopback address. */
    public InetAddress address() {
        return config.address();
    }

    /** The CQL port. */
    public int nativePort() {
        return config.nativePort();
    }

    /** The inter-node port. */
    public int storagePort() {
        return config.storagePort();
    }

    /** Where CQL clients connect: {@link #address()} and {@link #nativePort()}. */
    public InetSocketAddress nativeAddress() {
        return new InetSocketAddress(config.address(), config.nativePort());
    }

    /** The node's directory: data, commit log, configuration and logs. */
    public Path dataDirectory() {
        return config.dataDirectory();
    }

    /** Cassandra's log, at INFO level, appended across restarts. */
    public Path logFile() {
        return files.systemLog();
    }

    /** The child JVM's standard output and error, appended across restarts: JVM errors land here. */
    public Path outputFile() {
        return files.outputLog();
    }

    /**
     * The running process's id.
     *
     * @throws IllegalStateException if the node is not running
     */
    public synchronized long pid() {
        if (!isRunning()) {
            throw new IllegalStateException(this + " is not running");
        }
        return process.pid();
    }

    /** How long the last start took, from launching the JVM until the node answered CQL. */
    public synchronized Duration startupTime() {
        return startupTime;
    }

    /**
     * The process's resident memory (VmRSS) in bytes; empty if the node is not running or the
     * system has no {@code /proc} (Linux has).
     */
    public synchronized OptionalLong residentMemoryBytes() {
        if (!isRunning()) {
            return OptionalLong.empty();
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
                }
            }
            return OptionalLong.empty();
        } catch (IOException e) {
            return OptionalLong.empty();
        }
    }

    /**
     * The addresses that this node's gossip considers alive, itself included, as reported by
     * the node within the last 200 ms or so; empty if it is not running or still starting.
     * A coordinator counts only these replicas when it checks a consistency level.
     */
    public synchronized Set<InetAddress> liveNodes() {
        if (!isRunning()) {
            return Set.of();
        }
        Properties status = new Properties();
        try (var reader = Files.newBufferedReader(files.status(), StandardCharsets.UTF_8)) {
            status.load(reader);
        } catch (NoSuchFileException e) {
            return Set.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + files.status(), e);
        }
        if (!Long.toString(process.pid()).equals(status.getProperty("pid"))) {
            return Set.of(); // written by an earlier run of this node
        }
        Set<InetAddress> live = new LinkedHashSet<>();
        for (String address : status.getProperty("live", "").split(",")) {
            if (!address.isBlank()) {
                live.add(NodeConfig.parseLoopback("live node", address.strip()));
            }
        }
        return Set.copyOf(live);
    }

    @Override
    public String toString() {
        return "Cassandra node " + config.address().getHostAddress() + " (CQL port " + config.nativePort()
                + ", storage port " + config.storagePort() + ", " + config.dataDirectory() + ")";
    }

    // ---- internals; callers hold the lock ----

    private void launch() {
        requireFree(config.address(), config.storagePort(), "storage");
        requireFree(config.address(), config.nativePort(), "native (CQL)");
        files.write(config);
        try {
            Files.deleteIfExists(files.status());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + files.status(), e);
        }
        long logOffset = size(files.systemLog());
        long outputOffset = size(files.outputLog());
        ProcessBuilder builder = new ProcessBuilder(command())
                .directory(files.root().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(files.outputLog().toFile()));
        // Options meant for the test JVM (agents, debuggers) must not reach Cassandra's.
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("_JAVA_OPTIONS");
        long launched = System.nanoTime();
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + builder.command().get(0) + " for " + this, e);
        }
        long deadline = launched + config.startupTimeout().toNanos();
        while (true) {
            if (!process.isAlive()) {
                int status = process.exitValue();
                release();
                throw new IllegalStateException(this + " exited with status " + status + " while starting."
                        + tails(logOffset, outputOffset));
            }
            if (answersCql(nativeAddress())) {
                startupTime = Duration.ofNanos(System.nanoTime() - launched);
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                process.destroyForcibly();
                awaitExit(KILL_TIMEOUT);
                release();
                throw new IllegalStateException(this + " did not answer CQL within " + config.startupTimeout()
                        + "; killed it." + tails(logOffset, outputOffset));
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                process.destroyForcibly();
                awaitExit(KILL_TIMEOUT);
                release();
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while starting " + this + "; killed it", e);
            }
        }
    }

    private List<String> command() {
        int heap = config.heapMegabytes();
        Path dir = config.dataDirectory();
        List<String> command = new ArrayList<>();
        command.add(config.javaHome().resolve("bin").resolve("java").toString());
        command.addAll(List.of(
                "-Xms" + heap + "m", "-Xmx" + heap + "m", "-Xss256k",
                // Small heaps, a shared 2-core machine: one GC thread, no C2 compilations at startup.
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError",
                "-ea", "-da:net.openhft...",
                "-javaagent:" + classpath.jammAgent()));
        command.addAll(JAVA_17_OPTIONS);
        command.addAll(List.of(
                "-Djava.net.preferIPv4Stack=true",
                "-Dcassandra.config=" + files.yaml().toUri(),
                "-Dcassandra.storagedir=" + dir,
                "-Dcassandra.logdir=" + files.logDirectory(),
                "-Dlogback.configurationFile=" + files.logbackXml(),
                "-Dcassandra-foreground=yes",
                "-Dcassandra.available_processors=" + config.processors(),
                // Test-speed settings: no fixed wait for gossip to settle at startup; no forced
                // flushes of system tables (their writes are in the commit log all the same);
                // estimate memtable row overhead from 100 rows, not 100,000 (3 s at startup).
                "-Dcassandra.skip_wait_for_gossip_to_settle=0",
                // A stopping node tells its peers, then waits 2 s by default before going on; on
                // loopback they have the message within milliseconds.
                "-Dcassandra.shutdown_announce_in_ms=500",
                "-Dcassandra.unsafesystem=true",
                "-Dcassandra.memtable_row_overhead_computation_step=100"));
        command.addAll(config.jvmOptions());
        command.addAll(List.of(
                "-cp", classpath.with(ServerClasspath.ownCodeLocation()),
                NodeMain.class.getName(),
                NodeMain.CASSANDRA_MAIN,
                files.status().toString()));
        return command;
    }

    private boolean awaitExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + this + " to exit; killed it", e);
        }
    }

    /** Forgets an exited process, closing the pipe that {@link NodeMain} watches. */
    private void release() {
        try {
            process.getOutputStream().close();
        } catch (IOException e) {
            // The process has exited; a pipe that fails to close leaks nothing that outlives it.
        }
        process = null;
    }

    private String tails(long logOffset, long outputOffset) {
        return "\n--- last lines of " + files.systemLog() + " ---\n" + tail(files.systemLog(), logOffset)
                + "--- last lines of " + files.outputLog() + " ---\n" + tail(files.outputLog(), outputOffset);
    }

    /** The last {@value #TAIL_LINES} lines written to {@code file} since {@code offset}. */
    static String tail(Path file, long offset) {
        try (SeekableByteChannel channel = Files.newByteChannel(file)) {
            long start = Math.max(offset, channel.size() - 64 * 1024);
            ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(0, channel.size() - start));
            channel.position(start);
            while (buffer.hasRemaining() && channel.read(buffer) >= 0) {
                // read until full
            }
            String[] lines = new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8).split("\n", -1);
            int from = Math.max(0, lines.length - 1 - TAIL_LINES);
            StringBuilder out = new StringBuilder();
            for (int i = from; i < lines.length; i++) {
                if (i < lines.length - 1 || !lines[i].isEmpty()) {
                    out.append(lines[i]).append('\n');
                }
            }
            return out.length() == 0 ? "(nothing)\n" : out.toString();
        } catch (NoSuchFileException e) {
            return "(no such file)\n";
        } catch (IOException e) {
            return "(cannot read: " + e + ")\n";
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of " + file, e);
        }
    }

    /**
     * Whether a CQL server answers at {@code address}: sends a native protocol v4 {@code OPTIONS}
     * request and expects a {@code SUPPORTED} response.
     */
    static boolean answersCql(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, (int) PROBE_TIMEOUT.toMillis());
            socket.setSoTimeout((int) PROBE_TIMEOUT.toMillis());
            OutputStream out = socket.getOutputStream();
            // Header: version 4 request, no flags, stream 0, opcode OPTIONS (0x05), empty body.
            out.write(new byte[] {0x04, 0, 0, 0, 0x05, 0, 0, 0, 0});
            out.flush();
            byte[] header = new byte[9];
            new DataInputStream(socket.getInputStream()).readFully(header);
            // Version 4 response (0x84), opcode SUPPORTED (0x06).
            return header[0] == (byte) 0x84 && header[4] == 0x06;
        } catch (IOException e) {
            return false;
        }
    }

    private void requireFree(InetAddress address, int port, String which) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(address, port));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + this + ": its " + which + " port " + address.getHostAddress()
                    + ":" + port + " is not available (" + e.getMessage() + "). Another Cassandra may hold it: use"
                    + " port 0 for a free one. On macOS, addresses other than 127.0.0.1 need an alias first"
                    + " (sudo ifconfig lo0 alias " + address.getHostAddress() + ").", e);
        }
    }

    /** A port that is free on {@code address} right now, other than {@code not}. */
    static int freePort(InetAddress address, int not) {
        for (int attempt = 0; attempt < 20; attempt++) {
            try (ServerSocket socket = new ServerSocket(0, 1, address)) {
                if (socket.getLocalPort() != not) {
                    return socket.getLocalPort();
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot find a free port on " + address.getHostAddress() + " ("
                        + e.getMessage() + "). On macOS, addresses other than 127.0.0.1 need an alias first"
                        + " (sudo ifconfig lo0 alias " + address.getHostAddress() + ").", e);
            }
        }
        throw new IllegalStateException("no free port on " + address.getHostAddress() + " after 20 attempts");
    }

    private static void requireJava17(Path javaHome) {
        Path java = javaHome.resolve("bin").resolve("java");
        if (!Files.isExecutable(java)) {
            throw new IllegalStateException("no Java runtime at " + javaHome + " (" + java + " is missing); set"
                    + " NodeConfig.Builder.javaHome or -D" + NodeConfig.JAVA_HOME_PROPERTY + " to a Java 17");
        }
        Path release = javaHome.resolve("release");
        String text;
        try {
            text = Files.readString(release, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot tell the version of the Java runtime at " + javaHome + " (no readable "
                    + release + "); Cassandra 5.0 needs Java 17", e);
        }
        Matcher version = JAVA_VERSION.matcher(text);
        String feature = version.find() ? version.group(1) : null;
        if (!"17".equals(feature)) {
            throw new IllegalStateException("Cassandra 5.0 runs on Java 11 and 17, and this module on 17, but "
                    + javaHome + " is " + (feature == null ? "of unknown version" : "Java " + feature)
                    + ": set NodeConfig.Builder.javaHome or -D" + NodeConfig.JAVA_HOME_PROPERTY + " to a Java 17");
        }
    }
}
