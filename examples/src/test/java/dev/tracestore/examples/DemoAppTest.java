package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first command, minus Maven: sync the samples into the embedded default (an
 * SQLite file, here in a temporary directory that does not exist yet), list, serve; then run again.
 */
class DemoAppTest {
    @TempDir
    Path dir;

    private String run(String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (DemoApp app = DemoApp.run(DemoApp.Options.parse(args), out, out)) {
            assertThat(app).isNotNull();
            String output = bytes.toString(StandardCharsets.UTF_8);
            if (app.server() != null) {
                Matcher page = Pattern.compile("(http://localhost:\\d+/t/[A-Za-z0-9_-]{40})").matcher(output);
                assertThat(page.find()).as("a page URL in the output").isTrue();
                HttpResponse<String> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create(page.group(1))).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.body()).contains("og:image");
            }
            return output;
        }
    }

    @Test
    void firstRunSyncsTheSamples_secondRunReusesTheDatabaseAndWritesNothing() throws Exception {
        String db = DemoApp.DEFAULT_DB.replace("./data/", dir.resolve("data").toAbsolutePath() + "/");

        String first = run("--db", db, "--port", "0");
        // Tokens are all four kinds, from the hand-computed figures (SampleSessionsTest): curry
        // 70 + 32 + 194,395 + 46,482 = 240,979; websearch 18 + 4 + 32,772 + 6,682 = 39,476 (the
        // same script); csv 18,342 input (12,288 of them cached) + 913 output = 19,255.
        assertThat(first).contains("(sqlite), schema created")
                .containsPattern("claude-code\\s+\\+31 messages in 1 batch  0ccf1a04")
                .containsPattern("codex\\s+\\+12 messages in 1 batch  rollout-2026-11-20")
                .contains("claude-code 2 session files, 2 with new messages, 35 new messages")
                .contains("codex       2 session files, 2 with new messages, 16 new messages")
                .containsPattern("claude-code\\s+31 messages · 241K tokens · 7 tool calls\\s+Spawn curry poem agents, write sushi")
                .containsPattern("claude-code\\s+4 messages · 39.5K tokens · 1 tool call\\s+spawn a subagent")
                .containsPattern("codex\\s+12 messages · 19.3K tokens · 4 tool calls\\s+The CSV importer")
                .containsPattern("codex\\s+4 messages · 0 tokens · 1 tool call\\s+Why does InvoiceTotalsTest")
                .contains("Serving the share pages at http://localhost:")
                .doesNotContain("problem:");

        String second = run("--db", db, "--no-serve");
        assertThat(second).contains("existing database reused")
                .contains("claude-code 2 session files, 0 with new messages, 0 new messages")
                .doesNotContain("+31 messages")
                .containsPattern("claude-code\\s+31 messages · 241K tokens · 7 tool calls\\s+Spawn curry poem agents, write sushi")
                .doesNotContain("Serving");
    }

    @Test
    void nothingToImport_isReportedAndReturnsNoApp() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        DemoApp app = DemoApp.run(DemoApp.Options.parse("--db", "jdbc:h2:mem:nothing", "--no-samples", "--no-serve",
                "--import", dir.resolve("missing").toString()), out, out);
        assertThat(app).isNull();
        assertThat(bytes.toString(StandardCharsets.UTF_8)).contains("missing: no such file or directory")
                .contains("Nothing could be imported.");
    }

    @Test
    void badOptions_areRejectedNamingTheOption() {
        assertThatThrownBy(() -> DemoApp.Options.parse("--port", "http")).hasMessageContaining("--port: must be a number");
        assertThatThrownBy(() -> DemoApp.Options.parse("--db")).hasMessage("--db: needs a value");
        assertThatThrownBy(() -> DemoApp.Options.parse("--frobnicate")).hasMessage("unknown option --frobnicate");
        assertThat(DemoApp.Options.parse("--help").help).isTrue();
        assertThat(DemoApp.Options.parse().db).as("the demo's database without --db").isEqualTo(DemoApp.DEFAULT_DB);
    }
}
