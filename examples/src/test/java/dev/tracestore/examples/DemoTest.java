package dev.tracestore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceStore;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {

    @Test
    void demo_printsTheDriftItsRepairAndTheCounts() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new Demo(TraceStore.builder().storage(InMemoryTraceStorage.create()).build(),
                new PrintStream(bytes, true, StandardCharsets.UTF_8)).run();
        String out = bytes.toString(StandardCharsets.UTF_8);

        assertThat(out)
                .contains("claude-code  Fix flaky date test                    40 messages in 2 batches -> count 40")
                .contains("cached count is now 60")
                .contains("exact count 40, drift corrected 20")
                .contains("existed true, 25 messages removed")
                .contains("The parser trace still shows 120 messages");
        String beforeDeletion = out.substring(0, out.indexOf("4. deleteTrace"));
        String afterDeletion = out.substring(out.indexOf("4. deleteTrace"));
        assertThat(beforeDeletion).containsPattern("\\d+\\s+cursor\\s+25\\s+Spike");
        assertThat(afterDeletion).containsPattern("\\d+\\s+codex\\s+120\\s+Port the CSV parser")
                .doesNotContainPattern("cursor\\s+25\\s+Spike");
    }
}
