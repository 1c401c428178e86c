package dev.tracestore.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The core's internal package stays the core's: no other module's main sources import it. */
class InternalPackageTest {

    @Test
    @DisplayName("no module but core imports dev.tracestore.internal in its main sources")
    void noOtherModuleImportsIt() throws IOException {
        Path project = Path.of("").toAbsolutePath().getParent();
        List<Path> modules;
        try (Stream<Path> dirs = Files.list(project)) {
            modules = dirs.filter(d -> Files.isDirectory(d.resolve("src/main/java")))
                    .filter(d -> !d.getFileName().toString().equals("core"))
                    .toList();
        }
        assertThat(modules).as("the project's other modules, found from " + project)
                .extracting(d -> d.getFileName().toString()).contains("web", "storage-jdbc", "storage-memory");

        List<String> importers;
        try (Stream<Path> sources = modules.stream().flatMap(InternalPackageTest::javaFiles)) {
            importers = sources.filter(InternalPackageTest::importsInternal).map(project::relativize)
                    .map(Path::toString).toList();
        }
        assertThat(importers).as("main sources importing the core's internal package").isEmpty();
    }

    private static Stream<Path> javaFiles(Path module) {
        try {
            return Files.walk(module.resolve("src/main/java")).filter(f -> f.toString().endsWith(".java"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean importsInternal(Path file) {
        try {
            return Files.readString(file).contains("import dev.tracestore.internal.");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
