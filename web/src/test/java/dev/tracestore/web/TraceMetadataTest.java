package dev.tracestore.web;

import static dev.tracestore.web.Traces.trace;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.Visibility;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.jsoup.nodes.Element;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TraceMetadataTest {
    /** A share token as {@code TraceStore.shareToken} makes them: 40 URL-safe characters. */
    static final String TOKEN = "Xq3vT9kLm2Pw8RbN4sYc7HdJ0aFgE5uZ1oQiK6Bn";
    static final ShareSettings SETTINGS = ShareSettings.builder("https://traces.example.com/").siteName("Acme Traces").build();

    static final List<String> ONCE = List.of("description", "og:title", "og:type", "og:url", "og:image",
            "og:image:width", "og:image:height", "og:image:type", "og:image:alt", "og:description", "og:site_name",
            "article:published_time", "article:modified_time", "twitter:card", "twitter:title",
            "twitter:description", "twitter:image", "twitter:image:alt");

    static Document head(TraceMetadata m) {
        return Jsoup.parse("<!doctype html><html><head>" + m.toHeadHtml() + "</head><body></body></html>");
    }

    static String meta(Document doc, String key) {
        List<Element> found = doc.select("meta[name=" + key + "], meta[property=" + key + "]");
        assertThat(found).as("tags with key %s", key).hasSize(1);
        return found.get(0).attr("content");
    }

    @Nested
    @DisplayName("values")
    class Values {
        final TraceMetadata m = TraceMetadata.of(trace("Fix flaky date test", 1284), TOKEN, SETTINGS);

        @Test
        void titleDescriptionAndUrls() {
            assertThat(m.title()).isEqualTo("Fix flaky date test · Acme Traces");
            assertThat(m.description())
                    .isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · started Nov 29, 2025");
            assertThat(m.canonicalUrl()).isEqualTo("https://traces.example.com/t/" + TOKEN).doesNotContain("42");
            assertThat(m.imageUrl()).matches("https://traces\\.example\\.com/t/" + TOKEN + "/og\\.png\\?v=[0-9a-f]{16}");
            assertThat(m.robots()).isEmpty();
        }

        @Test
        void everyTagHasItsValue() {
            Document doc = head(m);
            assertThat(doc.title()).isEqualTo("Fix flaky date test · Acme Traces");
            assertThat(doc.select("link[rel=canonical]")).hasSize(1);
            assertThat(doc.selectFirst("link[rel=canonical]").attr("href")).isEqualTo(m.canonicalUrl());
            assertThat(meta(doc, "og:type")).isEqualTo("article");
            assertThat(meta(doc, "og:title")).isEqualTo("Fix flaky date test");
            assertThat(meta(doc, "og:url")).isEqualTo(m.canonicalUrl());
            assertThat(meta(doc, "og:site_name")).isEqualTo("Acme Traces");
            assertThat(meta(doc, "og:description")).isEqualTo(m.description());
            assertThat(meta(doc, "description")).isEqualTo(m.description());
            assertThat(meta(doc, "og:image")).isEqualTo(m.imageUrl());
            assertThat(meta(doc, "og:image:width")).isEqualTo("1200");
            assertThat(meta(doc, "og:image:height")).isEqualTo("630");
            assertThat(meta(doc, "og:image:type")).isEqualTo("image/png");
            assertThat(meta(doc, "og:image:alt")).isEqualTo("Preview card: Fix flaky date test. Claude Code trace, "
                    + "claude-opus-4-5, 1,284 messages, Nov 29, 2025.");
            assertThat(meta(doc, "article:published_time")).isEqualTo("2025-11-29T09:15:30Z");
            assertThat(meta(doc, "article:modified_time")).isEqualTo("2025-11-30T18:02:07Z");
            assertThat(meta(doc, "twitter:card")).isEqualTo("summary_large_image");
            assertThat(meta(doc, "twitter:title")).isEqualTo("Fix flaky date test");
            assertThat(meta(doc, "twitter:description")).isEqualTo(m.description());
            assertThat(meta(doc, "twitter:image")).isEqualTo(m.imageUrl());
            assertThat(meta(doc, "twitter:image:alt")).isEqualTo(meta(doc, "og:image:alt"));
            assertThat(doc.select("meta[name=robots]")).isEmpty();
        }

        @Test
        @DisplayName("exactly one of each tag, and the pair list matches the rendered head in order")
        void exactlyOneOfEach() {
            Document doc = head(m);
            for (String key : ONCE) {
                meta(doc, key);
            }
            assertThat(doc.select("title")).hasSize(1);
            assertThat(m.tags()).extracting(MetaTag::key).doesNotHaveDuplicates().containsAll(ONCE);
            List<String> rendered = doc.select("meta").stream()
                    .map(e -> e.hasAttr("name") ? e.attr("name") : e.attr("property")).collect(Collectors.toList());
            assertThat(rendered).isEqualTo(m.tags().stream().map(MetaTag::key).collect(Collectors.toList()));
            assertThat(m.tags()).allSatisfy(t -> assertThat(t.attribute()).isEqualTo(
                    t.key().startsWith("og:") || t.key().startsWith("article:")
                            ? MetaTag.Attribute.PROPERTY : MetaTag.Attribute.NAME));
            int imageAt = rendered.indexOf("og:image");
            assertThat(rendered.subList(imageAt, imageAt + 5))
                    .containsExactly("og:image", "og:image:width", "og:image:height", "og:image:type", "og:image:alt");
        }

        @Test
        void everyUrlIsAbsolute() {
            Document doc = head(m);
            for (String url : List.of(doc.selectFirst("link[rel=canonical]").attr("href"), meta(doc, "og:url"),
                    meta(doc, "og:image"), meta(doc, "twitter:image"))) {
                URI uri = URI.create(url);
                assertThat(uri.isAbsolute()).as(url).isTrue();
                assertThat(uri.getScheme()).isEqualTo("https");
                assertThat(uri.getHost()).isEqualTo("traces.example.com");
            }
        }

        @Test
        void pairList_isUnmodifiable() {
            assertThatThrownBy(() -> m.tags().add(MetaTag.name("x", "y")))
                    .isInstanceOf(UnsupportedOperationException.class);
            assertThat(m.tag("og:type")).contains(MetaTag.property("og:type", "article"));
            assertThat(m.tag("nope")).isEmpty();
        }

        @Test
        void missingTitleAgentAndModel_readSensibly() {
            TraceDetail bare = Traces.withAgentAndModel(trace(null, 0), null, null);
            TraceMetadata b = TraceMetadata.of(bare, TOKEN, SETTINGS);
            assertThat(b.tag("og:title").orElseThrow().content()).isEqualTo("Untitled trace");
            assertThat(b.description()).isEqualTo("AI agent trace · 0 messages · started Nov 29, 2025");
        }

        @Test
        void unknownAgent_isCapitalised() {
            TraceMetadata b = TraceMetadata.of(Traces.withAgentAndModel(trace("x", 1), "gemini-cli", "gemini-2.5-pro"),
                    TOKEN, SETTINGS);
            assertThat(b.description()).isEqualTo("Gemini Cli trace · gemini-2.5-pro · 1 message · started Nov 29, 2025");
        }
    }

    @Nested
    @DisplayName("tokens and tool calls")
    class Totals {
        final TraceDetail base = trace("Fix flaky date test", 1284);

        TraceMetadata withTotals(long toolCalls, TokenUsage tokens) {
            return TraceMetadata.of(Traces.withTotals(base, toolCalls, tokens), TOKEN, SETTINGS);
        }

        @Test
        @DisplayName("a trace with usage and tool calls shows both after the messages, in the description and alt text")
        void usageAndToolCalls_areShownAfterTheMessages() {
            TraceMetadata m = withTotals(87, TokenUsage.of(1_200_000, 85_000).withCache(800_000, 15_000));
            assertThat(m.description()).isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · 2.1M tokens"
                    + " · 87 tool calls · started Nov 29, 2025");
            assertThat(m.tag("og:description").orElseThrow().content()).isEqualTo(m.description());
            assertThat(m.tag("twitter:description").orElseThrow().content()).isEqualTo(m.description());
            assertThat(m.tag("og:image:alt").orElseThrow().content()).isEqualTo("Preview card: Fix flaky date test. "
                    + "Claude Code trace, claude-opus-4-5, 1,284 messages, 2.1M tokens, 87 tool calls, Nov 29, 2025.");
            assertThat(m.card().totalTokens()).isEqualTo(2_100_000);
            assertThat(m.card().toolCallCount()).isEqualTo(87);
        }

        @Test
        @DisplayName("an agent that reports no usage and calls no tool shows neither, as before totals")
        void noUsage_showsNeither() {
            TraceMetadata m = withTotals(0, TokenUsage.NONE);
            assertThat(m.description())
                    .isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · started Nov 29, 2025");
            assertThat(m.tag("og:image:alt").orElseThrow().content()).isEqualTo("Preview card: Fix flaky date test. "
                    + "Claude Code trace, claude-opus-4-5, 1,284 messages, Nov 29, 2025.");
        }

        @Test
        @DisplayName("tokens without tool calls, tool calls without tokens, singulars, no model, a null usage")
        void eachFigure_standsAlone() {
            assertThat(withTotals(0, TokenUsage.of(600, 350)).description())
                    .isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · 950 tokens · started Nov 29, 2025");
            assertThat(withTotals(1, TokenUsage.NONE).description())
                    .isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · 1 tool call · started Nov 29, 2025");
            assertThat(withTotals(1_284, null).description())
                    .isEqualTo("Claude Code trace · claude-opus-4-5 · 1,284 messages · 1,284 tool calls · started Nov 29, 2025");
            TraceDetail bare = Traces.withTotals(Traces.withAgentAndModel(trace(null, 1), null, null), 1, TokenUsage.of(1, 0));
            assertThat(TraceMetadata.of(bare, TOKEN, SETTINGS).description())
                    .isEqualTo("AI agent trace · 1 message · 1 token · 1 tool call · started Nov 29, 2025");
        }

        @Test
        @DisplayName("the figures are the same whatever the default locale")
        void figures_ignoreTheDefaultLocale() {
            java.util.Locale saved = java.util.Locale.getDefault();
            try {
                java.util.Locale.setDefault(java.util.Locale.GERMANY);
                assertThat(withTotals(12_345, TokenUsage.of(3_449_999_999L, 0)).description())
                        .contains("· 3.4B tokens · 12,345 tool calls ·");
            } finally {
                java.util.Locale.setDefault(saved);
            }
        }

        @Test
        @DisplayName("a private trace with usage is refused as any private trace is, leaking none of its totals")
        void privateTraceWithUsage_isRefused() {
            TraceDetail secret = Traces.withVisibility(Traces.withTotals(base, 87, TokenUsage.of(2_000_000, 100_000)),
                    Visibility.PRIVATE);
            assertThatThrownBy(() -> TraceMetadata.of(secret, TOKEN, SETTINGS)).isInstanceOf(PrivateTraceException.class)
                    .hasMessage("trace 42 is private: it has no share page, metadata or image");
            assertThatThrownBy(() -> ShareCard.of(secret)).isInstanceOf(PrivateTraceException.class);
            assertThatThrownBy(() -> OgImageRenderer.create().render(secret)).isInstanceOf(PrivateTraceException.class);
        }
    }

    @Nested
    @DisplayName("escaping")
    class Escaping {
        @ParameterizedTest
        @ValueSource(strings = {"\"><script>alert(1)</script>&'", "a & b < c > d \" e ' f", "&amp; &lt; &#39;",
            "</title><script>x</script>", "'onmouseover='alert(1)", "מבחן ✓ 修复 😀"})
        void hostileTitle_roundTripsThroughARealHtmlParser(String title) {
            TraceMetadata m = TraceMetadata.of(trace(title, 3), TOKEN, SETTINGS);
            Document doc = head(m);
            assertThat(doc.select("script")).isEmpty();
            assertThat(doc.select("head > *")).hasSize(m.tags().size() + 2);
            assertThat(doc.title()).isEqualTo(title + " · Acme Traces");
            assertThat(meta(doc, "og:title")).isEqualTo(title);
            assertThat(meta(doc, "twitter:title")).isEqualTo(title);
            assertThat(meta(doc, "og:image:alt")).contains(title);
        }

        @Test
        @DisplayName("no raw newline inside an attribute: every element is exactly one line")
        void newlines_neverLandInsideAnAttribute() {
            TraceDetail t = Traces.withAgentAndModel(trace("line one\nline two\r\nthree\u2028four\tfive", 2),
                    "claude-code", "model\nwith\nnewlines");
            TraceMetadata m = TraceMetadata.of(t, TOKEN, SETTINGS);
            String html = m.toHeadHtml();
            List<String> lines = html.lines().collect(Collectors.toList());
            assertThat(lines).hasSize(m.tags().size() + 2);
            assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("<").endsWith(">")
                    .doesNotContain("\r", "\u2028", "\t"));
            assertThat(meta(head(m), "og:title")).isEqualTo("line one line two three four five");
            assertThat(m.tags()).allSatisfy(tag -> assertThat(tag.content()).doesNotContain("\n"));
        }

        @Test
        void metaTag_escapesKeyAndContent() {
            assertThat(MetaTag.name("a\"b", "<&>'\"").toHtml())
                    .isEqualTo("<meta name=\"a&quot;b\" content=\"&lt;&amp;&gt;&#39;&quot;\">");
            assertThatThrownBy(() -> MetaTag.name("k", "a\nb")).hasMessageStartingWith("content: ");
        }
    }

    @Nested
    @DisplayName("length limits")
    class Limits {
        final String longTitle = "Investigate why the nightly import of Codex sessions double counts messages "
                + "when a batch is retried after a timeout, and fix the recount so that 😀👨‍👩‍👧 drift is reported "
                + "once per trace ".repeat(8);

        @Test
        void twitterTitleAndDescription_fitTheirLimitsWithAnEllipsis() {
            TraceDetail t = Traces.withAgentAndModel(trace(longTitle, 123_456), "claude-code", "m".repeat(300));
            TraceMetadata m = TraceMetadata.of(t, TOKEN, SETTINGS);
            String twitterTitle = m.tag("twitter:title").orElseThrow().content();
            String twitterDescription = m.tag("twitter:description").orElseThrow().content();
            assertThat(twitterTitle).hasSizeLessThanOrEqualTo(70).endsWith("…");
            assertThat(twitterDescription).hasSizeLessThanOrEqualTo(200);
            assertThat(m.title()).hasSizeLessThanOrEqualTo(TraceMetadata.MAX_TITLE_LENGTH).endsWith(" · Acme Traces");
            assertThat(m.tag("og:title").orElseThrow().content()).hasSizeLessThanOrEqualTo(200);
            assertThat(m.description()).contains("123,456 messages");
        }

        @Test
        @DisplayName("a cut never splits an emoji: every cut title is valid UTF-16")
        void cuts_areGraphemeSafe() {
            for (int pad = 0; pad < 12; pad++) {
                String title = "x".repeat(60 + pad) + "👨‍👩‍👧👨‍👩‍👧🇫🇷 tail";
                String cut = TraceMetadata.of(trace(title, 1), TOKEN, SETTINGS).tag("twitter:title").orElseThrow().content();
                assertThat(cut).hasSizeLessThanOrEqualTo(70);
                String kept = cut.substring(0, cut.length() - 1);
                assertThat(title).startsWith(kept);
                assertThat(kept.codePoints().noneMatch(cp -> Character.isSurrogate((char) cp))).isTrue();
                assertThat(kept).doesNotEndWith("\u200D");
            }
        }
    }

    @Nested
    @DisplayName("image version")
    class Version {
        final TraceDetail base = trace("Fix flaky date test", 10);

        String version(TraceDetail t) {
            return TraceMetadata.of(t, TOKEN, SETTINGS).card().version();
        }

        @Test
        void changes_whenAnythingShownChanges() {
            String v = version(base);
            assertThat(version(trace("Fix flaky date test", 11))).isNotEqualTo(v);
            assertThat(version(trace("Fix flaky date tests", 10))).isNotEqualTo(v);
            assertThat(version(Traces.withAgentAndModel(base, "codex", "claude-opus-4-5"))).isNotEqualTo(v);
            assertThat(version(Traces.withAgentAndModel(base, "claude-code", "claude-sonnet-4-5"))).isNotEqualTo(v);
            assertThat(version(new TraceDetail(42, "team-42", "s", "Fix flaky date test", "claude-code",
                    "claude-opus-4-5", Visibility.PUBLIC, null, Instant.parse("2025-11-30T09:15:30Z"),
                    Traces.UPDATED, 10, 0, TokenUsage.NONE, Traces.UPDATED, null))).isNotEqualTo(v);
            assertThat(TraceMetadata.of(trace("Fix flaky date test", 11), TOKEN, SETTINGS).imageUrl())
                    .isNotEqualTo(TraceMetadata.of(base, TOKEN, SETTINGS).imageUrl());
        }

        @Test
        @DisplayName("changes when the shown token total or the tool call count changes")
        void changes_whenTokensOrToolCallsChange() {
            String none = version(base);
            String tokens = version(Traces.withTotals(base, 0, TokenUsage.of(2_000_000, 100_000)));
            assertThat(tokens).isNotEqualTo(none);
            assertThat(version(Traces.withTotals(base, 0, TokenUsage.of(2_000_000, 200_000)))).isNotEqualTo(tokens);
            assertThat(version(Traces.withTotals(base, 0, TokenUsage.of(1, 0)))).isNotEqualTo(none);
            String toolCalls = version(Traces.withTotals(base, 87, TokenUsage.NONE));
            assertThat(toolCalls).isNotEqualTo(none);
            assertThat(version(Traces.withTotals(base, 88, TokenUsage.NONE))).isNotEqualTo(toolCalls);
            assertThat(TraceMetadata.of(Traces.withTotals(base, 0, TokenUsage.of(2_000_000, 100_000)), TOKEN, SETTINGS).imageUrl())
                    .isNotEqualTo(TraceMetadata.of(base, TOKEN, SETTINGS).imageUrl());
        }

        @Test
        @DisplayName("stays the same while the token total moves within the figure shown, and for a null usage")
        void staysTheSame_whileTheShownTokenFigureStays() {
            String v = version(Traces.withTotals(base, 3, TokenUsage.of(2_100_000, 0)));
            assertThat(version(Traces.withTotals(base, 3, TokenUsage.of(2_000_000, 100_001)))).isEqualTo(v);
            assertThat(version(Traces.withTotals(base, 3, TokenUsage.of(2_149_999, 0)))).isEqualTo(v);
            assertThat(version(Traces.withTotals(base, 3, TokenUsage.of(2_150_000, 0)))).isNotEqualTo(v);
            assertThat(version(Traces.withTotals(base, 0, null))).isEqualTo(version(base));
        }

        @Test
        void staysTheSame_whenNothingShownChanges() {
            String v = version(base);
            assertThat(version(trace("Fix flaky date test", 10))).isEqualTo(v);
            assertThat(version(Traces.withUpdatedAt(base, Instant.parse("2026-01-01T00:00:00Z")))).isEqualTo(v);
            assertThat(version(Traces.withVisibility(base, Visibility.UNLISTED))).isEqualTo(v);
            assertThat(version(trace("  Fix   flaky\ndate test ", 10))).isEqualTo(v);
            assertThat(version(new TraceDetail(7, "other", "other-session", "Fix flaky date test", "claude-code",
                    "claude-opus-4-5", Visibility.PUBLIC, "other-project", Traces.CREATED.plusSeconds(3600),
                    Traces.UPDATED, 10, 0, TokenUsage.NONE, Traces.UPDATED, null))).isEqualTo(v);
        }
    }

    @Nested
    @DisplayName("visibility")
    class VisibilityRules {
        @Test
        @DisplayName("a private trace is refused, and the exception leaks neither title nor count")
        void privateTrace_isRefused() {
            TraceDetail secret = Traces.withVisibility(trace("Secret acquisition plan", 31337), Visibility.PRIVATE);
            assertThatThrownBy(() -> TraceMetadata.of(secret, TOKEN, SETTINGS))
                    .isInstanceOf(PrivateTraceException.class)
                    .hasMessage("trace 42 is private: it has no share page, metadata or image")
                    .satisfies(e -> assertThat(((PrivateTraceException) e).traceId()).isEqualTo(42));
            assertThatThrownBy(() -> ShareCard.of(secret)).isInstanceOf(PrivateTraceException.class);
            assertThatThrownBy(() -> OgImageRenderer.create().render(secret)).isInstanceOf(PrivateTraceException.class);
        }

        @Test
        void unknownVisibility_isTreatedAsPrivate() {
            assertThatThrownBy(() -> TraceMetadata.of(Traces.withVisibility(trace("x", 1), null), TOKEN, SETTINGS))
                    .isInstanceOf(PrivateTraceException.class);
        }

        @Test
        void unlistedTrace_isNoindex() {
            TraceMetadata m = TraceMetadata.of(Traces.withVisibility(trace("Shared by link", 5), Visibility.UNLISTED),
                    TOKEN, SETTINGS);
            assertThat(m.robots()).contains("noindex");
            assertThat(meta(head(m), "robots")).isEqualTo("noindex");
            assertThat(m.tag("og:title").orElseThrow().content()).isEqualTo("Shared by link");
        }

        @Test
        void nullArguments_areRejectedNamingTheField() {
            assertThatThrownBy(() -> TraceMetadata.of(null, TOKEN, SETTINGS)).hasMessage("trace: must not be null");
            assertThatThrownBy(() -> TraceMetadata.of(trace("x", 1), TOKEN, null)).hasMessage("settings: must not be null");
            assertThatThrownBy(() -> TraceMetadata.of(trace("x", 1), null, SETTINGS)).hasMessage("shareToken: must not be null");
        }

        @Test
        void aTokenThatCannotStandInAPath_isRejectedWithoutQuotingIt() {
            for (String bad : new String[] {"", "a/b", "a b", "ab%2F", "x".repeat(129), "tok\u00e9n"}) {
                assertThatThrownBy(() -> TraceMetadata.of(trace("x", 1), bad, SETTINGS)).as(bad)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessage("shareToken: must be 1 to 128 URL-safe base64 characters (A-Z a-z 0-9 - _)");
            }
        }
    }

    @Test
    void metadata_isTheSameWhateverTheDefaultLocale() {
        java.util.Locale saved = java.util.Locale.getDefault();
        try {
            java.util.Locale.setDefault(java.util.Locale.GERMANY);
            Map<String, String> german = pairs(TraceMetadata.of(trace("t", 1_000_000), TOKEN, SETTINGS));
            java.util.Locale.setDefault(java.util.Locale.US);
            Map<String, String> us = pairs(TraceMetadata.of(trace("t", 1_000_000), TOKEN, SETTINGS));
            assertThat(german).isEqualTo(us);
            assertThat(german.get("description")).contains("1,000,000 messages");
        } finally {
            java.util.Locale.setDefault(saved);
        }
    }

    private static Map<String, String> pairs(TraceMetadata m) {
        return m.tags().stream().collect(Collectors.toMap(MetaTag::key, MetaTag::content));
    }
}
