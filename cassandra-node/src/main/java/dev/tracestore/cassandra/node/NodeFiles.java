package dev.tracestore.cassandra.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The layout of a node's data directory, and the configuration files written into it:
 *
 * <pre>
 * conf/cassandra.yaml, conf/logback.xml   written at every start
 * data/ commitlog/ hints/ saved_caches/ cdc_raw/
 * logs/system.log                          Cassandra's log (INFO), appended across restarts
 * logs/output.log                          the child JVM's stdout and stderr, appended
 * run/status.properties                    the node's gossip view, see NodeMain
 * </pre>
 */
final class NodeFiles {
    private final Path root;

    NodeFiles(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    Path yaml() {
        return root.resolve("conf").resolve("cassandra.yaml");
    }

    Path logbackXml() {
        return root.resolve("conf").resolve("logback.xml");
    }

    Path logDirectory() {
        return root.resolve("logs");
    }

    Path systemLog() {
        return logDirectory().resolve("system.log");
    }

    Path outputLog() {
        return logDirectory().resolve("output.log");
    }

    Path status() {
        return root.resolve("run").resolve("status.properties");
    }

    /** Creates the directories and writes both configuration files for {@code config}. */
    void write(NodeConfig config) {
        try {
            for (String dir : new String[] {"conf", "data", "commitlog", "hints", "saved_caches", "cdc_raw", "logs", "run"}) {
                Files.createDirectories(root.resolve(dir));
            }
            Files.writeString(yaml(), cassandraYaml(config), StandardCharsets.UTF_8);
            Files.writeString(logbackXml(), logbackXml(systemLog()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the configuration of the Cassandra node in " + root, e);
        }
    }

    /**
     * The node's {@code cassandra.yaml}: the settings a test node needs, then the config's own
     * settings, which replace defaults of the same key.
     */
    String cassandraYaml(NodeConfig config) {
        Map<String, String> yaml = new LinkedHashMap<>();
        yaml.put("cluster_name", quote(config.clusterName()));
        yaml.put("num_tokens", Integer.toString(config.numTokens()));
        if (!config.initialTokens().isEmpty()) {
            yaml.put("initial_token", quote(config.initialTokens().stream().map(String::valueOf)
                    .collect(Collectors.joining(","))));
        }
        yaml.put("partitioner", "org.apache.cassandra.dht.Murmur3Partitioner");
        yaml.put("endpoint_snitch", "SimpleSnitch");
        yaml.put("listen_address", config.address().getHostAddress());
        yaml.put("rpc_address", config.address().getHostAddress());
        yaml.put("storage_port", Integer.toString(config.storagePort()));
        yaml.put("native_transport_port", Integer.toString(config.nativePort()));
        yaml.put("start_native_transport", "true");
        yaml.put("data_file_directories", "[" + quote(root.resolve("data").toString()) + "]");
        yaml.put("commitlog_directory", quote(root.resolve("commitlog").toString()));
        yaml.put("hints_directory", quote(root.resolve("hints").toString()));
        yaml.put("saved_caches_directory", quote(root.resolve("saved_caches").toString()));
        yaml.put("cdc_raw_directory", quote(root.resolve("cdc_raw").toString()));
        // Test-speed settings. A new cluster is empty: nothing to stream when a node joins.
        yaml.put("auto_bootstrap", "false");
        // Acknowledge writes once in the commit log (a mapped file, which survives a killed
        // process), and fsync it every 10 s instead of making each write wait.
        yaml.put("commitlog_sync", "periodic");
        yaml.put("commitlog_sync_period", "10000ms");
        // DROP and TRUNCATE would otherwise hard-link every sstable into a snapshot first.
        yaml.put("auto_snapshot", "false");
        yaml.put("concurrent_compactors", "1");
        yaml.putAll(config.settings());

        StringBuilder out = new StringBuilder("# Written by tracestore-cassandra-node at every start; edits are lost.\n");
        yaml.forEach((key, value) -> out.append(key).append(": ").append(value).append('\n'));
        String seeds = config.seeds().stream()
                .map(InetAddress::getHostAddress)
                .map(host -> host + ":" + config.storagePort())
                .collect(Collectors.joining(","));
        out.append("seed_provider:\n")
                .append("  - class_name: org.apache.cassandra.locator.SimpleSeedProvider\n")
                .append("    parameters:\n")
                .append("      - seeds: ").append(quote(seeds)).append('\n');
        return out.toString();
    }

    /** Cassandra's log to a file only: INFO and above, appended across restarts, nothing on the console. */
    static String logbackXml(Path logFile) {
        return "<configuration>\n"
                + "  <appender name=\"FILE\" class=\"ch.qos.logback.core.FileAppender\">\n"
                + "    <file>" + xmlEscape(logFile.toString()) + "</file>\n"
                + "    <append>true</append>\n"
                + "    <encoder>\n"
                + "      <pattern>%d{yyyy-MM-dd'T'HH:mm:ss.SSS} %-5level [%thread] %logger{36} - %msg%n</pattern>\n"
                + "    </encoder>\n"
                + "  </appender>\n"
                + "  <root level=\"INFO\">\n"
                + "    <appender-ref ref=\"FILE\"/>\n"
                + "  </root>\n"
                + "</configuration>\n";
    }

    /** A YAML single-quoted scalar: the only escape is a doubled quote. */
    static String quote(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static String xmlEscape(String value) {
        return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
