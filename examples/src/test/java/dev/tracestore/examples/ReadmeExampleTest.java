package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceInput;
import dev.tracestore.examples.importer.BundledSamples;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.sync.SyncReport;
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

    @Test
    void shareExample_rendersTheUsageExamplesTrace_onceItIsNotPrivate() {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        store.upsertTrace(TraceInput.of("team-42", "5f0c2b1e-1111-4222-8333-444455556666").withTitle("Fix flaky date test"));
        assertThat(store.listTraces(TraceQuery.namespace("team-42")).items()).singleElement()
                .extracting(TraceSummary::visibility).as("new traces are private").isEqualTo(Visibility.PRIVATE);

        ReadmeExample.Shared shared = ReadmeExample.share(store);

        assertThat(shared.head()).contains("<title>Fix flaky date test · Acme Traces</title>", "noindex");
        assertThat(shared.png()).startsWith(0x89, 'P', 'N', 'G');
        assertThat(shared.listedPublic()).as("an unlisted trace is not listed as public").isEmpty();
        assertThat(shared.listedAll()).as("an unfiltered list shows every visibility").hasSize(1);
    }

    @Test
    void syncExample_syncsTheBundledSamples(@TempDir Path dir) {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        Path samples = BundledSamples.extractTo(dir);

        SyncReport report = ReadmeExample.sync(store, samples);

        assertThat(report.problems()).isEmpty();
        assertThat(report.messages()).isPositive();
        assertThat(store.listTraces(TraceQuery.namespace("local")).items()).hasSize(report.files().size());
    }

    @Test
    void metricsExample_recordsTheStoresWrites() {
        var registry = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
        TraceStore store = ReadmeExample.metered(InMemoryTraceStorage.create(), registry);
        store.upsertMessage(store.upsertTrace(TraceInput.of("ns", "s")).id(),
                dev.tracestore.MessageInput.of("m", 1, dev.tracestore.Role.USER, "hi"));

        assertThat(registry.get("tracestore.writes").tags("storage", "jdbc", "operation", "message", "outcome", "success")
                .timer().count()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"usage", "jdbc", "share", "sync", "metrics"})
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
