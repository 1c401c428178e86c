package dev.tracestore.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A share page in a real browser, Debian's headless Chromium, with the service's
 * Content-Security-Policy in force: it renders with no console error and nothing refused, shows
 * the title and the message count, and loads its Open Graph image. The screenshot is kept as
 * {@code examples/target/browser/trace-page.png}. {@code .ci/run} installs Chromium; outside CI,
 * without it, the test is skipped and says so.
 */
class BrowserCheckTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");

    static TraceStore store;
    static TraceServer server;
    static long trace;

    @BeforeAll
    static void start() {
        if (!Files.isExecutable(CHROMIUM)) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("CI must have Chromium at " + CHROMIUM + " (.ci/run installs Debian's chromium)");
            }
            Assumptions.abort("no Chromium at " + CHROMIUM + " (apt-get install chromium): skipped outside CI");
        }
        System.setProperty("java.awt.headless", "true");
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        trace = store.upsertTrace(TraceInput.of("demo", "browser").withTitle("Fix the flaky date test").withAgent("claude-code")
                .withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC)).id();
        store.upsertMessagesBatch(trace, List.of(MessageInput.of("m-1", 1, Role.USER, "The date test fails on the 31st"),
                MessageInput.of("m-2", 2, Role.ASSISTANT, "It adds a month to Jan 31; pinning the clock")
                        .withUsage(TokenUsage.of(1200, 340)).withToolCalls(1)));
        server = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** Runs Chromium headless on {@code url} with {@code options}; returns what it printed on stdout, and its log in {@code log}. */
    private static String chromium(String url, List<String> log, String... options) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(CHROMIUM.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--enable-logging=stderr", "--v=0", "--window-size=1200,900", "--virtual-time-budget=5000"));
        command.addAll(List.of(options));
        command.add(url);
        Path err = Files.createTempFile("chromium", ".log");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(90, TimeUnit.SECONDS)).as("Chromium finished").isTrue();
        assertThat(p.exitValue()).as("Chromium's exit status").isZero();
        log.addAll(Files.readAllLines(err));
        Files.delete(err);
        return out;
    }

    @Test
    void theSharePageRendersUnderItsPolicy_withTitleCountAndImage() throws Exception {
        String url = server.traceUrl(trace);
        Path shot = Path.of("target/browser/trace-page.png");
        Files.createDirectories(shot.getParent());
        List<String> log = new ArrayList<>();
        long rendersBefore = server.rendersDone();

        chromium(url, log, "--screenshot=" + shot.toAbsolutePath());
        Document dom = Jsoup.parse(chromium(url, log, "--dump-dom"));

        assertThat(shot).isNotEmptyFile();
        List<String> console = log.stream().filter(l -> l.contains("CONSOLE") || l.contains("Content Security Policy")
                || l.contains("Refused")).toList();
        assertThat(console).as("console messages and refused resources").isEmpty();
        assertThat(dom.title()).isEqualTo("Fix the flaky date test · TraceStore demo");
        assertThat(dom.selectFirst("h1").text()).isEqualTo("Fix the flaky date test");
        assertThat(dom.selectFirst("p.meta").text()).contains("2 messages");
        assertThat(server.rendersDone()).as("the browser fetched the Open Graph image, which the policy allows")
                .isGreaterThan(rendersBefore);
    }
}
