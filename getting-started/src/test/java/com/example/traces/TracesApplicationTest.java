package com.example.traces;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The application as the README sets it up: a store, its meters and its health, from application.properties. */
@SpringBootTest
class TracesApplicationTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) throws Exception {
        Path db = Files.createTempDirectory("traces").resolve("traces.db");
        registry.add("spring.datasource.url", () -> "jdbc:sqlite:" + db + "?foreign_keys=true&busy_timeout=30000&journal_mode=WAL");
    }

    @Autowired
    TraceStore store;
    @Autowired
    MeterRegistry registry;
    @Autowired
    HealthIndicator traceStoreHealthIndicator;

    @Test
    void storeMetricsAndHealth() {
        long id = store.upsertTrace(TraceInput.of("app", "session-1")).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("m1", 1, Role.USER, "hello"),
                MessageInput.of("m2", 2, Role.ASSISTANT, "hi")));

        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(2);
        assertThat(registry.get("tracestore.messages.written").tags("dialect", "sqlite", "operation", "batch").counter().count()).isEqualTo(2);
        assertThat(traceStoreHealthIndicator.health(true).getStatus()).isEqualTo(Status.UP);
    }
}
