package dev.tracestore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pins the JSON that applications and their clients depend on. */
class JsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    private final TraceDetail detail = new TraceDetail(42, "team-42", "5f0c2b1e-1111-4222-8333-444455556666",
            "Fix flaky date test", "claude-code", "claude-opus-4-5", Visibility.UNLISTED, "tracestore",
            Instant.parse("2026-11-28T09:15:00Z"), Instant.parse("2026-11-29T10:00:00.123456Z"), 1284, 87,
            new TokenUsage(1_200_000, 85_000, 800_000, 15_000), Instant.parse("2026-11-29T09:59:58.5Z"), "offset 1048576");

    /** A trace without messages: its latest message instant is null, and serialised as null. */
    private final TraceDetail empty = new TraceDetail(43, "team-42", "empty-session", null, null, null, Visibility.PRIVATE,
            null, Instant.parse("2026-11-28T09:15:00Z"), Instant.parse("2026-11-28T09:15:00Z"), 0, 0, TokenUsage.NONE, null, null);

    @Test
    void traceDetail_matchesGoldenJson() throws IOException {
        assertThat(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(detail))
                .isEqualToNormalizingNewlines(golden("trace-detail.json"));
    }

    @Test
    void traceSummary_matchesGoldenJson() throws IOException {
        assertThat(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(detail.toSummary()))
                .isEqualToNormalizingNewlines(golden("trace-summary.json"));
    }

    @Test
    void traceWithoutMessages_matchesGoldenJson() throws IOException {
        assertThat(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(empty.toSummary()))
                .isEqualToNormalizingNewlines(golden("trace-summary-empty.json"));
    }

    @Test
    void message_matchesGoldenJson() throws IOException {
        Message message = new Message("m-1", 3, Role.ASSISTANT, "hi", "claude-opus-4-5", Instant.parse("2026-11-29T10:00:00Z"),
                null, TokenUsage.of(3, 120).withCache(19_000, 0), 2);
        assertThat(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(message))
                .isEqualToNormalizingNewlines(golden("message.json"));
    }

    @Test
    void records_roundTripThroughAPlainObjectMapper() throws IOException {
        assertThat(mapper.readValue(mapper.writeValueAsString(empty), TraceDetail.class)).isEqualTo(empty);
        assertThat(mapper.readValue(mapper.writeValueAsString(detail), TraceDetail.class)).isEqualTo(detail);
        TraceSummary summary = detail.toSummary();
        assertThat(mapper.readValue(mapper.writeValueAsString(summary), TraceSummary.class)).isEqualTo(summary);
        Message message = new Message("m-1", 3, Role.ASSISTANT, "hi", "claude-opus-4-5",
                Instant.parse("2026-11-29T10:00:00Z"), "[{\"type\":\"text\",\"text\":\"hi\"}]");
        assertThat(mapper.readValue(mapper.writeValueAsString(message), Message.class)).isEqualTo(message);
        Message withUsage = new Message("m-2", 4, Role.ASSISTANT, "hi", null, Instant.parse("2026-11-29T10:00:00Z"), null,
                TokenUsage.of(3, 120).withCache(19_000, 7), 2);
        assertThat(mapper.readValue(mapper.writeValueAsString(withUsage), Message.class)).isEqualTo(withUsage);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = JsonTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
