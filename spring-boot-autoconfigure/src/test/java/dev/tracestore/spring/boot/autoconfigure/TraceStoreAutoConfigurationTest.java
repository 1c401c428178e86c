package dev.tracestore.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.micrometer.TraceStoreMetrics;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.flyway.autoconfigure.FlywayAutoConfiguration;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.jackson.autoconfigure.JacksonAutoConfiguration;
import org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

/** The starter's auto-configuration, in real application contexts on the embedded default and PostgreSQL. */
class TraceStoreAutoConfigurationTest {
    @TempDir
    Path dir;

    private ApplicationContextRunner runner() {
        return new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(DataSourceAutoConfiguration.class, TraceStoreAutoConfiguration.class,
                        TraceStoreObservabilityAutoConfiguration.class))
                .withPropertyValues("spring.datasource.url=" + sqliteUrl());
    }

    private String sqliteUrl() {
        return "jdbc:sqlite:" + dir.resolve("tracestore.db") + "?foreign_keys=true&busy_timeout=30000&journal_mode=WAL";
    }

    private static long batchOfTwo(TraceStore store) {
        long id = store.upsertTrace(TraceInput.of("app", "session-1").withVisibility(Visibility.UNLISTED)).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("m1", 1, Role.USER, "hello"),
                MessageInput.of("m2", 2, Role.ASSISTANT, "hi").withUsage(TokenUsage.of(5, 7))));
        return id;
    }

    @Test
    @DisplayName("on the embedded default: the tables are created, the store works, the drift guard runs and stops with the context")
    void embeddedDefault() throws InterruptedException {
        java.util.Set<Thread> before = reconcilerThreads();
        java.util.Set<Thread> ours = new java.util.HashSet<>();
        runner().run(context -> {
            assertThat(context).hasSingleBean(TraceStore.class).hasSingleBean(JdbcTraceStorage.class);
            TraceStore store = context.getBean(TraceStore.class);
            long id = batchOfTwo(store);
            assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(2);
            assertThat(context.getBean(JdbcTraceStorage.class).dialect().name()).isEqualTo("sqlite");
            assertThat(store.reconciler()).isPresent();
            assertThat(context).doesNotHaveBean(TraceStoreMetrics.class); // no MeterRegistry here
            ours.addAll(reconcilerThreads());
            ours.removeAll(before);
        });
        assertThat(ours).as("the drift guard's thread, while the context ran").isNotEmpty();
        for (Thread t : ours) {
            t.join(5_000);
            assertThat(t.isAlive()).as("the drift guard's thread after the context closed").isFalse();
        }
    }

    /** The live threads of drift guards (CountReconciler names its thread so). */
    private static java.util.Set<Thread> reconcilerThreads() {
        java.util.Set<Thread> threads = new java.util.HashSet<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("tracestore-count-reconciler") && t.isAlive()) {
                threads.add(t);
            }
        }
        return threads;
    }

    @Test
    @DisplayName("properties bind: table prefix, limits, the drift guard off, no migration")
    void propertiesBind() throws Exception {
        runner().withPropertyValues("tracestore.table-prefix=app_trace_", "tracestore.max-batch-size=2",
                "tracestore.reconciler.enabled=false").run(context -> {
                    TraceStore store = context.getBean(TraceStore.class);
                    long id = store.upsertTrace(TraceInput.of("app", "s")).id();
                    List<MessageInput> three = List.of(MessageInput.of("a", 1, Role.USER, "a"),
                            MessageInput.of("b", 2, Role.USER, "b"), MessageInput.of("c", 3, Role.USER, "c"));
                    assertThatThrownBy(() -> store.upsertMessagesBatch(id, three)).hasMessageContaining("at most 2");
                    assertThat(store.reconciler()).isEmpty();
                });
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("tracestore.db"));
             ResultSet rs = c.getMetaData().getTables(null, null, "app_trace_traces", null)) {
            assertThat(rs.next()).as("the prefixed table").isTrue();
        }

        runner().withPropertyValues("spring.datasource.url=jdbc:sqlite:" + dir.resolve("empty.db"), "tracestore.migrate=false")
                .run(context -> assertThatThrownBy(() -> context.getBean(TraceStore.class).upsertTrace(TraceInput.of("a", "b")))
                        .hasMessageContaining("migrate()"));
    }

    @Test
    @DisplayName("two instances with the same tracestore.cursor-secret accept each other's cursors")
    void cursorSecretIsShared() {
        String secret = "tracestore.cursor-secret=MDEyMzQ1Njc4OWFiY2RlZg==";
        runner().withPropertyValues(secret).run(first -> {
            TraceStore a = first.getBean(TraceStore.class);
            for (int i = 0; i < 3; i++) {
                a.upsertTrace(TraceInput.of("app", "s" + i));
            }
            String cursor = a.listTraces(TraceQuery.namespace("app").limit(1)).nextCursor();
            runner().withPropertyValues(secret).run(second -> assertThat(second.getBean(TraceStore.class)
                    .listTraces(TraceQuery.namespace("app").limit(1).after(cursor)).items()).hasSize(1));
            runner().run(other -> assertThatThrownBy(() -> other.getBean(TraceStore.class)
                    .listTraces(TraceQuery.namespace("app").limit(1).after(cursor))).hasMessageContaining("as this store issued it"));
        });
    }

    @Test
    @DisplayName("a bad property value fails start-up, naming the property")
    void badPropertyFailsStartup() {
        runner().withPropertyValues("tracestore.max-batch-size=0").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("tracestore.max-batch-size"));
        runner().withPropertyValues("tracestore.reconciler.interval=soon").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("tracestore.reconciler.interval"));
        runner().withPropertyValues("tracestore.dialect=oracle").run(context -> assertThat(context).hasFailed()
                .getFailure().hasStackTraceContaining("tracestore.dialect"));
        runner().withPropertyValues("tracestore.cursor-secret=c2hvcnQ=").run(context -> assertThat(context).hasFailed()
                .getFailure().rootCause().hasMessageContaining("tracestore.cursor-secret"));
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStorage {
        @Bean
        TraceStorage memory() {
            return InMemoryTraceStorage.create();
        }
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnStore {
        @Bean
        TraceStore myStore() {
            return TraceStore.builder().storage(InMemoryTraceStorage.create()).maxBatchSize(7).build();
        }
    }

    @Test
    @DisplayName("the application's own storage or store wins")
    void overridingBeans() {
        runner().withUserConfiguration(OwnStorage.class).run(context -> {
            assertThat(context).doesNotHaveBean(JdbcTraceStorage.class).hasSingleBean(TraceStore.class);
            assertThat(context.getBean(TraceStorage.class)).isInstanceOf(InMemoryTraceStorage.class);
            batchOfTwo(context.getBean(TraceStore.class));
        });
        runner().withUserConfiguration(OwnStore.class).run(context -> assertThat(context).hasSingleBean(TraceStore.class)
                .getBean(TraceStore.class).isSameAs(context.getBean("myStore")));
    }

    @Configuration(proxyBeanMethods = false)
    static class Registry {
        @Bean
        MeterRegistry registry() {
            return new SimpleMeterRegistry();
        }
    }

    @Test
    @DisplayName("with a MeterRegistry: the store's meters, tagged with storage and dialect")
    void metrics() {
        runner().withUserConfiguration(Registry.class).run(context -> {
            batchOfTwo(context.getBean(TraceStore.class));
            MeterRegistry registry = context.getBean(MeterRegistry.class);
            assertThat(registry.get("tracestore.writes").tags("storage", "jdbc", "dialect", "sqlite", "operation", "batch",
                    "outcome", "success").timer().count()).isEqualTo(1);
            assertThat(registry.get("tracestore.messages.written").tags("operation", "batch").counter().count()).isEqualTo(2);
        });
    }

    @Test
    @DisplayName("health: up with the drift guard's state; down, saying to migrate, when the tables are gone")
    void health() {
        runner().run(context -> {
            TraceStoreHealthIndicator health = context.getBean(TraceStoreHealthIndicator.class);
            assertThat(health.health(true).getStatus()).isEqualTo(Status.UP);
            assertThat(health.health(true).getDetails()).containsEntry("reconciler", "running");
            try (Connection c = context.getBean(DataSource.class).getConnection(); Statement s = c.createStatement()) {
                s.execute("DROP TABLE tracestore_messages");
                s.execute("DROP TABLE tracestore_traces");
            }
            assertThat(health.health(true).getStatus()).isEqualTo(Status.DOWN);
            assertThat(health.health(true).getDetails().toString()).contains("migrate()");
        });
    }

    /** An application bean that writes to the store while the context starts. */
    @Configuration(proxyBeanMethods = false)
    static class SeedsAtStartup {
        @Bean
        Long seeded(TraceStore store) {
            return store.upsertTrace(TraceInput.of("app", "seeded-at-startup")).id();
        }
    }

    @Test
    @DisplayName("with the application's Flyway applying the shipped scripts, and tracestore.migrate=false: the store works on Flyway's schema, from start-up on")
    void flyway() throws Exception {
        runner().withConfiguration(AutoConfigurations.of(FlywayAutoConfiguration.class)).withUserConfiguration(SeedsAtStartup.class)
                .withPropertyValues("tracestore.migrate=false", "spring.flyway.locations=classpath:db/tracestore/sqlite",
                        "spring.flyway.placeholders.prefix=tracestore_")
                .run(context -> {
                    assertThat(context).hasNotFailed();
                    TraceStore store = context.getBean(TraceStore.class);
                    assertThat(store.getTrace(batchOfTwo(store)).orElseThrow().messageCount()).isEqualTo(2);
                });
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("tracestore.db"));
             Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM flyway_schema_history WHERE success = 1")) {
            rs.next();
            assertThat(rs.getInt(1)).as("V1 to V3, by Flyway").isEqualTo(3);
            assertThat(c.getMetaData().getTables(null, null, "tracestore_schema_history", null).next())
                    .as("no history of migrate()'s").isFalse();
        }
    }

    @Test
    @DisplayName("Spring Boot's Jackson 3 JsonMapper writes a TraceDetail, a TraceSummary and a Message as a plain Jackson 2 ObjectMapper does (JsonTest pins those)")
    void jackson3WritesWhatJackson2Writes() throws Exception {
        TraceDetail detail = new TraceDetail(42, "team-42", "5f0c2b1e-1111-4222-8333-444455556666", "Fix flaky date test",
                "claude-code", "claude-opus-4-5", Visibility.UNLISTED, "tracestore", Instant.parse("2026-11-28T09:15:00Z"),
                Instant.parse("2026-11-29T10:00:00.123456Z"), 1284, 87, new TokenUsage(1_200_000, 85_000, 800_000, 15_000),
                Instant.parse("2026-11-29T09:59:58.5Z"), "offset 1048576");
        TraceDetail empty = new TraceDetail(43, "team-42", "empty-session", null, null, null, Visibility.PRIVATE, null,
                Instant.parse("2026-11-28T09:15:00Z"), Instant.parse("2026-11-28T09:15:00Z"), 0, 0, TokenUsage.NONE, null, null);
        Message message = new Message("m-1", 3, Role.ASSISTANT, "hi", "claude-opus-4-5", Instant.parse("2026-11-29T10:00:00Z"),
                null, TokenUsage.of(3, 120).withCache(19_000, 0), 2);
        ObjectMapper jackson2 = new ObjectMapper();
        new ApplicationContextRunner().withConfiguration(AutoConfigurations.of(JacksonAutoConfiguration.class)).run(context -> {
            JsonMapper jackson3 = context.getBean(JsonMapper.class);
            for (Object value : List.of(detail, detail.toSummary(), empty, empty.toSummary(), message)) {
                assertThat(jackson3.writeValueAsString(value)).isEqualTo(jackson2.writeValueAsString(value));
            }
        });
    }

    @Test
    @DisplayName("on PostgreSQL: the context starts, migrates, and the store works")
    void postgresql() {
        String url = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";
        try (Connection c = DriverManager.getConnection(url)) {
            assertThat(c.isValid(2)).isTrue();
        } catch (Exception e) {
            if ("true".equals(System.getenv("CI"))) {
                throw new AssertionError("PostgreSQL must be reachable in CI at " + url, e);
            }
            Assumptions.abort("no PostgreSQL at 127.0.0.1:5432 (" + e.getMessage() + "): skipped outside CI");
        }
        String prefix = "boot_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8) + "_";
        runner().withPropertyValues("spring.datasource.url=" + url, "tracestore.table-prefix=" + prefix).run(context -> {
            try {
                assertThat(context.getBean(JdbcTraceStorage.class).dialect().name()).isEqualTo("postgresql");
                TraceStore store = context.getBean(TraceStore.class);
                assertThat(store.getTrace(batchOfTwo(store)).orElseThrow().messageCount()).isEqualTo(2);
                assertThat(context.getBean(TraceStoreHealthIndicator.class).health(false).getStatus()).isEqualTo(Status.UP);
            } finally {
                try (Connection c = context.getBean(DataSource.class).getConnection(); Statement s = c.createStatement()) {
                    for (String table : List.of("messages", "traces", "schema_history")) {
                        s.execute("DROP TABLE IF EXISTS " + prefix + table + " CASCADE");
                    }
                }
            }
        });
    }
}
