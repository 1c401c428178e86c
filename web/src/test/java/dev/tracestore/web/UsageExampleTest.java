package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import org.junit.jupiter.api.Test;

/** Keeps the usage example of the module's documentation compiling and true. */
class UsageExampleTest {

    @Test
    void usageExample() {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        long id = store.upsertTrace(TraceInput.of("team-42", "session-1").withTitle("Fix flaky date test")
                .withAgent("claude-code").withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC)).id();

        // --- the example ---
        ShareSettings site = ShareSettings.builder("https://traces.example.com").siteName("Acme Traces").build();
        OgImageRenderer renderer = OgImageRenderer.create();

        String token = store.shareToken(id);                     // the link's name: 240 random bits, never the id
        TraceDetail trace = store.findSharedTrace(token).orElseThrow(); // empty: answer 404
        TraceMetadata meta = TraceMetadata.of(trace, token, site); // private: PrivateTraceException, answer 404
        String head = meta.toHeadHtml();                         // <title>, canonical, og:*, twitter:*
        String imageUrl = meta.imageUrl();                       // .../t/{token}/og.png?v=<version of what it shows>
        byte[] png = renderer.render(meta.card());               // 1200x630 image/png; ETag: the version
        // --- end ---

        assertThat(head).contains("<meta property=\"og:title\" content=\"Fix flaky date test\">");
        assertThat(imageUrl).startsWith("https://traces.example.com/t/" + token + "/og.png?v=" + meta.card().version());
        assertThat(png).hasSizeGreaterThan(1000);
    }
}
