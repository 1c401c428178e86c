package dev.tracestore.web;

import dev.tracestore.TraceDetail;
import dev.tracestore.Visibility;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The share-page metadata of one trace: what a Next.js {@code generateMetadata} would return.
 * Immutable and thread-safe; get one from {@link #of(TraceDetail, String, ShareSettings)}, then write
 * {@link #toHeadHtml()} into the page's {@code <head>}, or {@link #title()},
 * {@link #canonicalUrl()} and {@link #tags()} through your own templates.
 *
 * <p>Every value is one line (whitespace runs collapsed, control and bidi-override characters
 * dropped) and every URL is absolute. {@code og:url} is the canonical URL; the image URL carries
 * the card's {@link ShareCard#version()}, so a trace that grows gets a fresh preview.
 *
 * <p><b>Private traces are refused</b> with {@link PrivateTraceException}, never answered with
 * a generic result: the caller must answer 404, exactly as for an unknown id. Unlisted traces
 * get {@code <meta name="robots" content="noindex">}.
 */
public final class TraceMetadata {
    /** The longest {@code twitter:title}, in UTF-16 characters. */
    public static final int MAX_TWITTER_TITLE_LENGTH = 70;
    /** The longest {@code twitter:description}, in UTF-16 characters. */
    public static final int MAX_TWITTER_DESCRIPTION_LENGTH = 200;
    /** The longest page title and {@code og:title}, in UTF-16 characters. */
    public static final int MAX_TITLE_LENGTH = 200;

    private static final String SEPARATOR = " · ";

    private final String title;
    private final String description;
    private final String canonicalUrl;
    private final String imageUrl;
    private final boolean noindex;
    private final ShareCard card;
    private final List<MetaTag> tags;

    private TraceMetadata(String title, String description, String canonicalUrl, String imageUrl,
            boolean noindex, ShareCard card, List<MetaTag> tags) {
        this.title = title;
        this.description = description;
        this.canonicalUrl = canonicalUrl;
        this.imageUrl = imageUrl;
        this.noindex = noindex;
        this.card = card;
        this.tags = List.copyOf(tags);
    }

    /**
     * The metadata of a public or unlisted trace, whose URLs name it by {@code shareToken}
     * ({@link dev.tracestore.TraceStore#shareToken(long)}), never by its id.
     *
     * @throws PrivateTraceException    if the trace is private (or its visibility unknown); the
     *                                  exception names the id only
     * @throws IllegalArgumentException if {@code trace}, {@code shareToken} or {@code settings} is
     *                                  null, the token is not URL-safe, or the trace lacks its
     *                                  created or updated instant
     */
    public static TraceMetadata of(TraceDetail trace, String shareToken, ShareSettings settings) {
        ShareCard.requireShareable(trace);
        Arguments.notNull("settings", settings);
        Instant created = Arguments.notNull("trace.createdAt", trace.createdAt());
        Instant updated = Arguments.notNull("trace.updatedAt", trace.updatedAt());
        ShareCard card = ShareCard.of(trace);

        String headline = Texts.truncate(card.title(), MAX_TITLE_LENGTH);
        String pageTitle = Texts.truncate(card.title(), MAX_TITLE_LENGTH - settings.siteName().length() - 3)
                + SEPARATOR + settings.siteName();
        String description = card.agentName() + " trace" + SEPARATOR
                + (card.model() == null ? "" : card.model() + SEPARATOR)
                + String.join(SEPARATOR, card.countTexts()) + SEPARATOR + "started " + card.dateText();
        String canonical = settings.traceUrl(shareToken);
        String image = settings.imageUrl(shareToken, card.version());
        String alt = card.altText();
        boolean noindex = trace.visibility() == Visibility.UNLISTED;

        List<MetaTag> tags = new ArrayList<>();
        tags.add(MetaTag.name("description", description));
        if (noindex) {
            tags.add(MetaTag.name("robots", "noindex"));
        }
        tags.add(MetaTag.property("og:type", "article"));
        tags.add(MetaTag.property("og:site_name", settings.siteName()));
        tags.add(MetaTag.property("og:title", headline));
        tags.add(MetaTag.property("og:description", description));
        tags.add(MetaTag.property("og:url", canonical));
        tags.add(MetaTag.property("og:image", image));
        tags.add(MetaTag.property("og:image:width", Integer.toString(OgImageRenderer.WIDTH)));
        tags.add(MetaTag.property("og:image:height", Integer.toString(OgImageRenderer.HEIGHT)));
        tags.add(MetaTag.property("og:image:type", OgImageRenderer.CONTENT_TYPE));
        tags.add(MetaTag.property("og:image:alt", alt));
        tags.add(MetaTag.property("article:published_time", iso(created)));
        tags.add(MetaTag.property("article:modified_time", iso(updated)));
        tags.add(MetaTag.name("twitter:card", "summary_large_image"));
        tags.add(MetaTag.name("twitter:title", Texts.truncate(card.title(), MAX_TWITTER_TITLE_LENGTH)));
        tags.add(MetaTag.name("twitter:description",
                Texts.truncate(description, MAX_TWITTER_DESCRIPTION_LENGTH)));
        tags.add(MetaTag.name("twitter:image", image));
        tags.add(MetaTag.name("twitter:image:alt", alt));
        return new TraceMetadata(pageTitle, description, canonical, image, noindex, card, tags);
    }

    private static String iso(Instant instant) {
        return DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }

    /** The page title, for {@code <title>}: "Fix flaky date test · TraceStore". */
    public String title() {
        return title;
    }

    /**
     * The description, for {@code <meta name="description">} and {@code og:description}:
     * "Claude Code trace · claude-opus-4-5 · 1,284 messages · 2.1M tokens · 87 tool calls ·
     * started Nov 29, 2025". The tokens appear only when the trace reported usage, the tool calls
     * only when there were any; no model, no model part.
     */
    public String description() {
        return description;
    }

    /** The absolute canonical URL of the trace page, also {@code og:url}. */
    public String canonicalUrl() {
        return canonicalUrl;
    }

    /** The absolute, versioned URL of the Open Graph image, also {@code twitter:image}. */
    public String imageUrl() {
        return imageUrl;
    }

    /** The {@code robots} directive: {@code noindex} for an unlisted trace, empty for a public one. */
    public Optional<String> robots() {
        return noindex ? Optional.of("noindex") : Optional.empty();
    }

    /** What the image shows; render it with {@link OgImageRenderer#render(ShareCard)}. */
    public ShareCard card() {
        return card;
    }

    /**
     * The {@code <meta>} tags in the order {@link #toHeadHtml()} writes them: description,
     * robots (unlisted only), {@code og:*}, {@code article:*}, {@code twitter:*}. Each key
     * appears once. Unmodifiable.
     */
    public List<MetaTag> tags() {
        return tags;
    }

    /**
     * The first tag with this key, if any.
     *
     * @param key such as {@code og:image}
     */
    public Optional<MetaTag> tag(String key) {
        return tags.stream().filter(t -> t.key().equals(key)).findFirst();
    }

    /**
     * The metadata as HTML for the inside of {@code <head>}: {@code <title>}, then
     * {@code <link rel="canonical">}, then {@link #tags()}, one element per line, every value
     * escaped for text and attribute context.
     */
    public String toHeadHtml() {
        StringBuilder sb = new StringBuilder(4096);
        sb.append("<title>").append(Html.escape(title)).append("</title>\n");
        sb.append("<link rel=\"canonical\" href=\"").append(Html.escape(canonicalUrl)).append("\">\n");
        for (MetaTag tag : tags) {
            sb.append(tag.toHtml()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "TraceMetadata[title=" + title + ", canonicalUrl=" + canonicalUrl + ", imageUrl=" + imageUrl + "]";
    }
}
