package dev.tracestore.benchmarks;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.web.OgImageRenderer;
import dev.tracestore.web.ShareSettings;
import dev.tracestore.web.TraceMetadata;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The share page's cost, warm: {@code ogImage} renders the 1200×630 Open Graph card and
 * encodes it as PNG (target ≤ 50 ms), {@code metadata} builds the page's metadata and its
 * {@code <head>} HTML (target ≤ 50 µs). {@code title} compares a Latin title with a CJK one,
 * which the renderer draws with the shipped fallback font.
 *
 * <p>Run from the repository root (about 1 minute):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.SharePageBenchmark -wi 2 -w 2s -i 3 -r 2s"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Djava.awt.headless=true"})
public class SharePageBenchmark {

    @Param({"latin", "cjk"})
    public String title;

    final ShareSettings site = ShareSettings.builder("https://traces.example.com").siteName("Acme Traces").build();
    final OgImageRenderer renderer = OgImageRenderer.create();
    TraceDetail trace;
    String token;

    @Setup(Level.Trial)
    public void open() {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        String text = title.equals("cjk") ? "修复日期解析在东八区的测试失败并注入时钟" : "Fix the flaky date test by injecting a clock";
        long id = store.upsertTrace(TraceInput.of("team-42", "session-1").withTitle(text).withAgent("claude-code")
                .withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC)).id();
        for (int i = 0; i < 1234; i += 617) {
            List<MessageInput> batch = new ArrayList<>();
            for (int j = i; j < i + 617; j++) {
                batch.add(MessageInput.of("m-" + j, j, Role.USER, "hello"));
            }
            store.upsertMessagesBatch(id, batch);
        }
        token = store.shareToken(id);
        trace = store.findSharedTrace(token).orElseThrow();
    }

    @Benchmark
    public byte[] ogImage() {
        return renderer.render(TraceMetadata.of(trace, token, site).card());
    }

    @Benchmark
    public String metadata() {
        return TraceMetadata.of(trace, token, site).toHeadHtml();
    }
}
