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
            Instant.parse("2026-11-28T09:15:00Z"), Instant.parse("2026-11-29T10:00:00.123456Z"), 1284);

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
    void records_roundTripThroughAPlainObjectMapper() throws IOException {
        assertThat(mapper.readValue(mapper.writeValueAsString(detail), TraceDetail.class)).isEqualTo(detail);
        TraceSummary summary = detail.toSummary();
        assertThat(mapper.readValue(mapper.writeValueAsString(summary), TraceSummary.class)).isEqualTo(summary);
        Message message = new Message("m-1", 3, Role.ASSISTANT, "hi", "claude-opus-4-5",
                Instant.parse("2026-11-29T10:00:00Z"), "[{\"type\":\"text\",\"text\":\"hi\"}]");
        assertThat(mapper.readValue(mapper.writeValueAsString(message), Message.class)).isEqualTo(message);
    }

    private static String golden(String name) throws IOException {
        try (InputStream in = JsonTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
    }
}
