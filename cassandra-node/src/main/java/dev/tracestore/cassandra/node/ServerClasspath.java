package dev.tracestore.cassandra.node;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;

/**
 * Apache Cassandra's runtime classpath for the child JVMs: the jars of {@code cassandra-all} and
 * its dependencies, as the build resolved them. They never join the test's own classpath.
 *
 * <p>The build ({@code cassandra-node/classpath/pom.xml}) writes them, one line joined by the
 * path separator, to {@code cassandra-node/classpath/target/cassandra.classpath} and records that
 * location in this jar. The system property {@value #PROPERTY} names another file instead.
 */
final class ServerClasspath {
    /** The system property naming the classpath file, overriding the location recorded by the build. */
    static final String PROPERTY = "tracestore.cassandra.classpath";
    private static final String LOCATION_RESOURCE = "cassandra-classpath.location";
    private static final String MAIN_CLASS = "org.apache.cassandra.service.CassandraDaemon";

    private final List<Path> entries;

    private ServerClasspath(List<Path> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The classpath from {@value #PROPERTY} if set, otherwise from the location the build recorded. */
    static ServerClasspath locate() {
        String override = System.getProperty(PROPERTY);
        if (override != null && !override.isBlank()) {
            return load(Path.of(override.strip()), "system property " + PROPERTY);
        }
        return load(Path.of(recordedLocation()), "the location recorded when tracestore-cassandra-node was built");
    }

    /**
     * Reads the classpath file {@code file}; {@code origin} says where its name came from.
     *
     * @throws IllegalStateException if the file is missing, empty or lists jars that do not exist
     */
    static ServerClasspath load(Path file, String origin) {
        String howToFix = " The build writes it: run `mvn -pl cassandra-node -am test-compile` (or any later phase)"
                + " at the repository root, or set -D" + PROPERTY + "=<file> to a file holding cassandra-all's runtime"
                + " classpath.";
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException("Cassandra's classpath file " + file + " (from " + origin
                    + ") does not exist." + howToFix);
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Cassandra's classpath file " + file, e);
        }
        List<Path> entries = new ArrayList<>();
        List<Path> missing = new ArrayList<>();
        for (String entry : text.split(File.pathSeparator)) {
            if (!entry.isBlank()) {
                Path path = Path.of(entry.strip());
                entries.add(path);
                if (!Files.exists(path)) {
                    missing.add(path);
                }
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException("Cassandra's classpath file " + file + " (from " + origin + ") lists "
                    + missing.size() + " of " + entries.size() + " jars that do not exist, such as " + missing.get(0)
                    + ": was the local Maven repository moved or cleaned?" + howToFix);
        }
        if (entries.stream().noneMatch(p -> p.getFileName().toString().startsWith("cassandra-all-"))) {
            throw new IllegalStateException("Cassandra's classpath file " + file + " (from " + origin
                    + ") does not list a cassandra-all jar, so " + MAIN_CLASS + " cannot run." + howToFix);
        }
        return new ServerClasspath(entries);
    }

    /** The jars, in order. */
    List<Path> entries() {
        return entries;
    }

    /**
     * The jamm jar, which Cassandra needs as a Java agent ({@code -javaagent}) to measure the
     * memory its memtables use, as its own start script passes it.
     *
     * @throws IllegalStateException if the classpath has none
     */
    Path jammAgent() {
        return entries.stream()
                .filter(p -> p.getFileName().toString().matches("jamm-[0-9.]+\\.jar"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("Cassandra's classpath has no jamm jar, which Cassandra"
                        + " needs as its -javaagent: " + entries));
    }

    /** The classpath string: these jars, then {@code extra}. */
    String with(Path extra) {
        List<String> all = new ArrayList<>();
        entries.forEach(p -> all.add(p.toString()));
        all.add(extra.toString());
        return String.join(File.pathSeparator, all);
    }

    /** Where this module's own classes are (a jar or a classes directory), for the child's main class. */
    static Path ownCodeLocation() {
        CodeSource source = ServerClasspath.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IllegalStateException("cannot locate tracestore-cassandra-node's classes: no code source");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate tracestore-cassandra-node's classes: " + source.getLocation(), e);
        }
    }

    private static String recordedLocation() {
        try (InputStream in = ServerClasspath.class.getResourceAsStream(LOCATION_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("resource " + LOCATION_RESOURCE + " is missing from tracestore-cassandra-node;"
                        + " set -D" + PROPERTY + "=<file> to a file holding cassandra-all's runtime classpath");
            }
            String location = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
            if (location.isEmpty() || location.startsWith("${")) {
                throw new IllegalStateException("tracestore-cassandra-node was built without its classpath location ("
                        + LOCATION_RESOURCE + " holds '" + location + "'); build it with Maven, or set -D" + PROPERTY
                        + "=<file>");
            }
            return location;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + LOCATION_RESOURCE, e);
        }
    }
}
