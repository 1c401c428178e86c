package dev.tracestore.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.StorageException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared migration engine: finding scripts in directories and jars, and applying them against a recorded history. */
class MigrationsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-02T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    /** A history in memory, recording what the engine asks of a schema. */
    private static class FakeSchema implements Migrations.Schema {
        final Map<Integer, String> history = new TreeMap<>();
        final List<String> log = new ArrayList<>();

        @Override
        public int locked(Migrations.Migration migration) throws Exception {
            log.add("lock");
            try {
                return migration.run();
            } finally {
                log.add("unlock");
            }
        }

        @Override
        public Map<Integer, String> applied() {
            return new TreeMap<>(history);
        }

        @Override
        public void apply(Migrations.Script script, Instant appliedAt) {
            log.add("apply V" + script.version() + " " + script.statements() + " at " + appliedAt);
            history.put(script.version(), script.checksum());
        }

        @Override
        public void recordChecksum(int version, String checksum) {
            log.add("checksum V" + version);
            history.put(version, checksum);
        }
    }

    private ClassLoader jar(Map<String, String> entries) throws IOException {
        Path jar = dir.resolve("scripts.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            // Directory entries, as Maven's and Gradle's jars have them: a class loader finds a directory by them.
            for (String directory : List.of("db/", "db/x/", "db/x/sub/", "db/y/")) {
                out.putNextEntry(new JarEntry(directory));
                out.closeEntry();
            }
            for (Map.Entry<String, String> e : entries.entrySet()) {
                out.putNextEntry(new JarEntry(e.getKey()));
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
        }
        return new URLClassLoader(new URL[] {jar.toUri().toURL()}, null);
    }

    private ClassLoader directory(Map<String, String> files) throws IOException {
        for (Map.Entry<String, String> e : files.entrySet()) {
            Path file = dir.resolve("classes").resolve(e.getKey());
            Files.createDirectories(file.getParent());
            try (OutputStream out = Files.newOutputStream(file)) {
                out.write(e.getValue().getBytes(StandardCharsets.UTF_8));
            }
        }
        return new URLClassLoader(new URL[] {dir.resolve("classes").toUri().toURL()}, null);
    }

    @Test
    void scriptsInAJarAndInTwoDirectories_areMergedInVersionOrder_andApplied() throws Exception {
        ClassLoader loader = jar(Map.of(
                "db/x/V1__create.sql", "-- a comment\nCREATE TABLE ${prefix}t (id INT);\nCREATE INDEX i ON ${prefix}t (id);\n",
                "db/x/V10__later.sql", "SELECT 10;\n",
                "db/x/notes.txt", "not a migration",
                "db/x/sub/V3__nested.sql", "SELECT 3;\n",
                "db/y/V2__fixture.sql", "ALTER TABLE ${prefix}t ADD c INT;\n"));
        Migrations migrations = Migrations.load(loader, List.of("db/x", "db/y"), "sql", Map.of("prefix", "p_"));

        assertThat(migrations.scripts()).extracting(Migrations.Script::version).containsExactly(1, 2, 10);
        assertThat(migrations.scripts().get(0).statements())
                .containsExactly("CREATE TABLE p_t (id INT)", "CREATE INDEX i ON p_t (id)");

        FakeSchema schema = new FakeSchema();
        assertThat(migrations.migrate(schema, CLOCK, "migrating")).isEqualTo(3);
        assertThat(schema.log).containsExactly("lock",
                "apply V1 [CREATE TABLE p_t (id INT), CREATE INDEX i ON p_t (id)] at 2026-12-02T12:00:00Z",
                "apply V2 [ALTER TABLE p_t ADD c INT] at 2026-12-02T12:00:00Z",
                "apply V10 [SELECT 10] at 2026-12-02T12:00:00Z", "unlock");
        assertThat(migrations.migrate(schema, CLOCK, "migrating")).isZero();
    }

    @Test
    void scriptsInADirectory_areFound() throws Exception {
        ClassLoader loader = directory(Map.of("db/x/V1__a.sql", "SELECT 1;\n", "db/x/V2__b.sql", "SELECT 2;\n"));
        assertThat(Migrations.load(loader, List.of("db/x"), "sql", Map.of()).scripts())
                .extracting(Migrations.Script::description).containsExactly("a", "b");
    }

    @Test
    void aChangedScript_anUnknownVersion_andAFailingScript_areReported() throws Exception {
        ClassLoader loader = directory(Map.of("db/x/V1__a.sql", "SELECT 1;\n", "db/x/V2__b.sql", "SELECT 2;\n"));
        Migrations migrations = Migrations.load(loader, List.of("db/x"), "sql", Map.of());
        FakeSchema changed = new FakeSchema();
        changed.history.put(1, "0badc0de");
        assertThatThrownBy(() -> migrations.migrate(changed, CLOCK, "migrating")).isInstanceOf(StorageException.class)
                .hasMessage("migrating: migration V1__a changed after it was applied (checksum 0badc0de recorded, "
                        + migrations.scripts().get(0).checksum() + " shipped)");
        assertThat(changed.history).doesNotContainKey(2);

        FakeSchema newer = new FakeSchema();
        newer.history.put(3, "00000000");
        assertThatThrownBy(() -> migrations.migrate(newer, CLOCK, "migrating")).isInstanceOf(StorageException.class)
                .hasMessageContaining("the schema has version 3, which this library does not ship");

        FakeSchema failing = new FakeSchema() {
            @Override
            public void apply(Migrations.Script script, Instant appliedAt) {
                if (script.version() == 2) {
                    throw new IllegalStateException("refused");
                }
                super.apply(script, appliedAt);
            }
        };
        assertThatThrownBy(() -> migrations.migrate(failing, CLOCK, "migrating")).isInstanceOf(StorageException.class)
                .hasMessage("migrating: migration V2__b failed: refused")
                .hasRootCauseMessage("refused");
        assertThat(failing.history).containsOnlyKeys(1);
        assertThat(failing.log).endsWith("unlock");
    }

    @Test
    void aVersionRecordedWithoutAChecksum_getsIt() throws Exception {
        ClassLoader loader = directory(Map.of("db/x/V1__a.sql", "SELECT 1;\n"));
        Migrations migrations = Migrations.load(loader, List.of("db/x"), "sql", Map.of());
        FakeSchema old = new FakeSchema();
        old.history.put(1, null);
        assertThat(migrations.migrate(old, CLOCK, "migrating")).isZero();
        assertThat(old.history).containsEntry(1, migrations.scripts().get(0).checksum());
    }

    @Test
    void badScriptSets_areRefusedNamingTheProblem() throws Exception {
        ClassLoader loader = directory(Map.of("db/a/V1__x.sql", "SELECT 1;\n", "db/b/V1__y.sql", "SELECT 1;\n",
                "db/c/V1-bad.sql", "SELECT 1;\n", "db/d/V1__p.sql", "SELECT ${missing};\n"));
        assertThatThrownBy(() -> Migrations.load(loader, List.of("db/a", "db/b"), "sql", Map.of()))
                .hasMessage("migration version 1 is shipped twice: x and y");
        assertThatThrownBy(() -> Migrations.load(loader, List.of("db/c"), "sql", Map.of()))
                .hasMessage("migration db/c/V1-bad.sql: the name must be V<n>__<description>.sql");
        assertThatThrownBy(() -> Migrations.load(loader, List.of("db/d"), "sql", Map.of()))
                .hasMessage("migration placeholder ${missing} has no value");
        assertThatThrownBy(() -> Migrations.load(loader, List.of("db/none"), "sql", Map.of()))
                .hasMessage("no migration *.sql found in [db/none]");
    }
}
