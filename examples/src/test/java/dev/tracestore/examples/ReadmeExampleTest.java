package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The README's usage example is real code: it compiles, runs, and the README shows it verbatim. */
class ReadmeExampleTest {

    @Test
    void example_runsAndEndsWithTheRepairedCount() {
        List<TraceSummary> traces = ReadmeExample.run().items();
        assertThat(traces).singleElement().extracting(TraceSummary::messageCount).isEqualTo(2L);
    }

    @Test
    void jdbcWiring_createsTheSchemaAndWorks_onTheEmbeddedDefault(@TempDir Path dir) {
        String url = DemoApp.DEFAULT_DB.replace("./data/", dir.toAbsolutePath() + "/");
        try (var dataSource = ReadmeExample.wireJdbc(url)) {
            assertThat(dataSource.isRunning()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"usage", "jdbc"})
    void readme_showsTheExampleVerbatim(String tag) throws IOException {
        String source = Files.readString(Path.of("src/main/java/dev/tracestore/examples/ReadmeExample.java"));
        String start = "// tag::" + tag + "[]\n";
        String snippet = source.substring(source.indexOf(start) + start.length(),
                source.indexOf("        // end::" + tag + "[]"));
        String dedented = Arrays.stream(snippet.split("\n"))
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));
        String readme = Files.readString(Path.of("../README.md"));
        assertThat(readme).contains(dedented);
    }
}
