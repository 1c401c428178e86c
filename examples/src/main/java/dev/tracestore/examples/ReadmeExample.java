package dev.tracestore.examples;

import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.Visibility;
import dev.tracestore.micrometer.TraceStoreMetrics;
import dev.tracestore.spi.TraceStorage;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import dev.tracestore.web.OgImageRenderer;
import dev.tracestore.web.ShareSettings;
import dev.tracestore.web.TraceMetadata;
import java.nio.file.Path;
import java.util.List;

/** The usage examples of the README, kept compiling and in sync with it by {@code ReadmeExampleTest}. */
public final class ReadmeExample {
    private ReadmeExample() {}

    /** Runs the README's example and returns the first page of the listing it ends with. */
    public static Page<TraceSummary> run() {
        // tag::usage[]
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();

        TraceDetail trace = store.upsertTrace(TraceInput.of("team-42", "5f0c2b1e-1111-4222-8333-444455556666")
                .withTitle("Fix flaky date test").withAgent("claude-code").withModel("claude-opus-4-5"));

        List<MessageInput> batch = List.of(
                MessageInput.of("m-1", 1, Role.USER, "The date test fails on the 31st"),
                MessageInput.of("m-2", 2, Role.ASSISTANT, "It adds a month to Jan 31; pinning the clock"));
        store.upsertMessagesBatch(trace.id(), batch);   // count 2: one write to the trace row
        store.upsertMessagesBatch(trace.id(), batch);   // a retry re-sends: count 4 (drift, by design)
        Recount fixed = store.recalculateMessageCount(trace.id()); // fixed.count() 2, fixed.drift() 2

        Page<TraceSummary> page = store.listTraces(TraceQuery.namespace("team-42").limit(50));
        // end::usage[]
        if (fixed.drift() != 2) {
            throw new AssertionError("expected the retry's drift of 2, got " + fixed);
        }
        return page;
    }

    /** The README's JDBC wiring, on the given JDBC URL; the caller closes the pool. */
    public static HikariDataSource wireJdbc(String jdbcUrl) {
        // tag::jdbc[]
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(jdbcUrl);            // jdbc:sqlite:./data/tracestore.db?foreign_keys=true&…, jdbc:postgresql://…
        config.setMaximumPoolSize(10);         // at least the number of threads writing at once
        HikariDataSource dataSource = new HikariDataSource(config);

        JdbcTraceStorage storage = JdbcTraceStorage.create(dataSource); // dialect detected from the connection
        storage.migrate();                     // creates or updates the tables; idempotent, safe from several processes
        TraceStore store = TraceStore.builder().storage(storage).build();
        // end::jdbc[]
        store.upsertTrace(TraceInput.of("team-42", "wired"));
        return dataSource;
    }

    /** What the README's share-page example gives, to check. */
    public record Shared(String head, byte[] png, List<TraceSummary> listedPublic, List<TraceSummary> listedAll) {
    }

    /** The README's share-page example, on the trace of its usage example. */
    public static Shared share(TraceStore store) {
        // tag::share[]
        TraceDetail shared = store.upsertTrace(TraceInput.of("team-42", "5f0c2b1e-1111-4222-8333-444455556666")
                .withVisibility(Visibility.UNLISTED));           // new traces are private: never rendered
        ShareSettings site = ShareSettings.builder("https://traces.example.com").siteName("Acme Traces").build();
        String token = store.shareToken(shared.id());         // its link's name: 240 random bits, never its id
        // A request for https://traces.example.com/t/{token} finds it by the token; anything else is a 404.
        TraceDetail found = store.findSharedTrace(token).orElseThrow(); // wrong, revoked, private: empty
        TraceMetadata meta = TraceMetadata.of(found, token, site); // a private trace: PrivateTraceException
        String head = meta.toHeadHtml();                     // <title>, description, canonical, og:*, twitter:*
        byte[] png = OgImageRenderer.create().render(meta.card()); // 1200×630; meta.imageUrl() carries ?v=<card version>
        // end::share[]
        return new Shared(head, png,
                store.listTraces(TraceQuery.namespace("team-42").withVisibility(Visibility.PUBLIC)).items(),
                store.listTraces(TraceQuery.namespace("team-42")).items());
    }

    /** The README's sync example, over the sessions under {@code sessions}. */
    public static SyncReport sync(TraceStore store, Path sessions) {
        // tag::sync[]
        SessionSync sync = SessionSync.builder(store).namespace("local").build();
        SyncReport report = sync.sync(List.of(sessions));   // files or directories, such as ~/.claude/projects
        // end::sync[]
        return report;
    }

    /** The README's metrics example: a store on {@code storage} reporting to {@code registry}. */
    public static TraceStore metered(TraceStorage storage, MeterRegistry registry) {
        // tag::metrics[]
        TraceStore store = TraceStore.builder().storage(storage)
                .listener(TraceStoreMetrics.of(registry, Tags.of("storage", "jdbc", "dialect", "postgresql")))
                .build();
        // end::metrics[]
        return store;
    }
}
