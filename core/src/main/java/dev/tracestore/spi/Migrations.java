package dev.tracestore.spi;

import dev.tracestore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The migration engine the storage adapters share. It finds an adapter's versioned scripts on
 * the classpath ({@code V<n>__<description>.<extension>} in one or more directories; adding a
 * version is adding a file), applies those a schema lacks in version order while the adapter
 * holds its migration lock, and checks every version applied before against its checksum, as
 * Flyway does: a shipped script that changed after it was applied is reported, never skipped.
 *
 * <p>An adapter supplies only what is its own, as a {@link Schema}: the lock that excludes every
 * other migration of the schema in any process, its history of applied versions, and running one
 * script. For adapters; applications call their storage's {@code migrate()}.
 */
public final class Migrations {
    private static final Pattern NAME = Pattern.compile("V([1-9]\\d{0,8})__(\\w+)\\.(\\w+)");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");

    /** The scripts by version, in version order. */
    private final TreeMap<Integer, Script> scripts;

    private Migrations(TreeMap<Integer, Script> scripts) {
        this.scripts = scripts;
    }

    /** One versioned script, its placeholders replaced, split into statements. */
    public record Script(int version, String description, String checksum, List<String> statements) {
        public Script {
            statements = List.copyOf(statements);
        }
    }

    /** The adapter's side of a migration: its lock, its history, and running one script. */
    public interface Schema {
        /**
         * Runs {@code migration} while holding the schema's migration lock, which excludes every
         * other migration of the same schema, in this process and in any other; returns its result.
         */
        int locked(Migration migration) throws Exception;

        /** Every applied version and its checksum (null for one recorded before checksums were kept). Read under the lock. */
        Map<Integer, String> applied() throws Exception;

        /**
         * Runs the script's statements and records its version, checksum and {@code appliedAt}:
         * in one transaction where the database runs schema changes in transactions, so that a
         * failure or a killed process leaves the version either applied and recorded or neither;
         * elsewhere recorded only after its last statement succeeded.
         */
        void apply(Script script, Instant appliedAt) throws Exception;

        /** Records the checksum of a version applied before checksums were kept. */
        void recordChecksum(int version, String checksum) throws Exception;
    }

    /** The work done under a {@link Schema#locked lock}. */
    @FunctionalInterface
    public interface Migration {
        int run() throws Exception;
    }

    /**
     * The scripts with {@code extension} in {@code directories} (classpath resource paths, such
     * as {@code db/tracestore/postgresql}), merged and in version order, each with
     * {@code ${name}} placeholders replaced from {@code placeholders}. A directory is found
     * through the class loader, in a jar by its directory entry, which jars built by Maven,
     * Gradle and Spring Boot have.
     *
     * @throws IllegalStateException if no script is found, two share a version, a name does not
     *                               follow {@code V<n>__<description>}, or a placeholder has no value
     */
    public static Migrations load(ClassLoader loader, List<String> directories, String extension,
            Map<String, String> placeholders) {
        TreeMap<Integer, Script> byVersion = new TreeMap<>();
        for (String directory : directories) {
            for (Map.Entry<String, String> file : scan(loader, directory, extension).entrySet()) {
                Matcher m = NAME.matcher(file.getKey());
                if (!m.matches()) {
                    throw new IllegalStateException("migration " + directory + "/" + file.getKey()
                            + ": the name must be V<n>__<description>." + extension);
                }
                String text = file.getValue().replace("\r\n", "\n");
                Script script = new Script(Integer.parseInt(m.group(1)), m.group(2), checksum(text),
                        statements(text, placeholders));
                Script other = byVersion.put(script.version(), script);
                if (other != null) {
                    throw new IllegalStateException("migration version " + script.version() + " is shipped twice: "
                            + other.description() + " and " + script.description());
                }
            }
        }
        if (byVersion.isEmpty()) {
            throw new IllegalStateException("no migration *." + extension + " found in " + directories);
        }
        return new Migrations(byVersion);
    }

    /**
     * These scripts up to {@code version}, the later ones left out: a schema as an earlier
     * release left it, for upgrade tests.
     */
    public Migrations upTo(int version) {
        return new Migrations(new TreeMap<>(scripts.headMap(version, true)));
    }

    /** The scripts, in version order. */
    public List<Script> scripts() {
        return List.copyOf(scripts.values());
    }

    /**
     * Applies, under the schema's lock, every script whose version the history lacks, in order;
     * first checks that each version applied before still has its shipped checksum.
     *
     * @return how many versions this call applied (0 when another process applied them first)
     * @throws StorageException naming the version, when a shipped script changed after it was
     *                          applied, when the history holds a version no script has, or when
     *                          a script fails (then wrapping the cause)
     */
    public int migrate(Schema schema, Clock clock, String what) {
        try {
            return schema.locked(() -> {
                Map<Integer, String> applied = schema.applied();
                for (Map.Entry<Integer, String> version : applied.entrySet()) {
                    Script script = scripts.get(version.getKey());
                    if (script == null) {
                        throw new StorageException(what + ": the schema has version " + version.getKey()
                                + ", which this library does not ship: it was migrated by a newer version", null);
                    }
                    if (version.getValue() == null) {
                        schema.recordChecksum(script.version(), script.checksum());
                    } else if (!version.getValue().equals(script.checksum())) {
                        throw new StorageException(what + ": migration V" + script.version() + "__"
                                + script.description() + " changed after it was applied (checksum "
                                + version.getValue() + " recorded, " + script.checksum() + " shipped)", null);
                    }
                }
                int count = 0;
                for (Script script : scripts.values()) {
                    if (!applied.containsKey(script.version())) {
                        try {
                            schema.apply(script, clock.instant());
                        } catch (Exception e) {
                            throw new StorageException(what + ": migration V" + script.version() + "__"
                                    + script.description() + " failed: " + e.getMessage(), e);
                        }
                        count++;
                    }
                }
                return count;
            });
        } catch (StorageException e) {
            throw e;
        } catch (Exception e) {
            throw new StorageException(what + " failed", e);
        }
    }

    /** A script's statements: comment lines dropped, placeholders replaced, split at a {@code ;} ending a line. */
    public static List<String> statements(String script, Map<String, String> placeholders) {
        StringBuilder sql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                sql.append(line).append('\n');
            }
        }
        Matcher m = PLACEHOLDER.matcher(sql);
        StringBuilder replaced = new StringBuilder();
        while (m.find()) {
            String value = placeholders.get(m.group(1));
            if (value == null) {
                throw new IllegalStateException("migration placeholder ${" + m.group(1) + "} has no value");
            }
            m.appendReplacement(replaced, Matcher.quoteReplacement(value));
        }
        m.appendTail(replaced);
        List<String> statements = new ArrayList<>();
        for (String s : replaced.toString().split(";\\s*\n")) {
            if (!s.isBlank()) {
                statements.add(s.strip());
            }
        }
        return statements;
    }

    /** CRC32 of the script's text, as 8 hex digits: what the history keeps to notice a changed script. */
    static String checksum(String text) {
        CRC32 crc = new CRC32();
        crc.update(text.getBytes(StandardCharsets.UTF_8));
        return String.format("%08x", crc.getValue());
    }

    /** The files named {@code *.extension} directly in {@code directory}, on every classpath root, by name. */
    private static Map<String, String> scan(ClassLoader loader, String directory, String extension) {
        Map<String, String> files = new TreeMap<>();
        try {
            Enumeration<URL> roots = loader.getResources(directory);
            while (roots.hasMoreElements()) {
                URL root = roots.nextElement();
                for (String name : list(root, directory)) {
                    if (name.endsWith("." + extension)) {
                        try (InputStream in = loader.getResourceAsStream(directory + "/" + name)) {
                            if (in == null) {
                                throw new IllegalStateException("migration " + directory + "/" + name + " cannot be read");
                            }
                            files.put(name, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the migrations in " + directory, e);
        }
        return files;
    }

    /** The names of the files directly in the directory at {@code root}: a directory or a jar entry. */
    private static List<String> list(URL root, String directory) throws IOException {
        List<String> names = new ArrayList<>();
        if (root.getProtocol().equals("file")) {
            Path dir;
            try {
                dir = Path.of(root.toURI());
            } catch (URISyntaxException e) {
                throw new IOException("not a file URL: " + root, e);
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    if (Files.isRegularFile(p)) {
                        names.add(p.getFileName().toString());
                    }
                }
            }
        } else {
            URLConnection connection = root.openConnection();
            if (!(connection instanceof JarURLConnection jar)) {
                throw new IOException("cannot list migrations at " + root + ": neither a directory nor a jar");
            }
            connection.setUseCaches(false);
            String prefix = directory.endsWith("/") ? directory : directory + "/";
            try (JarFile file = jar.getJarFile()) {
                for (Enumeration<JarEntry> entries = file.entries(); entries.hasMoreElements(); ) {
                    String entry = entries.nextElement().getName();
                    if (entry.startsWith(prefix) && entry.indexOf('/', prefix.length()) < 0
                            && entry.length() > prefix.length()) {
                        names.add(entry.substring(prefix.length()));
                    }
                }
            }
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }
}
