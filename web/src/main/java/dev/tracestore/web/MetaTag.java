package dev.tracestore.web;

/**
 * One {@code <meta>} tag as a plain pair, for applications that render their own templates:
 * {@code <meta name="twitter:card" content="summary_large_image">} is
 * {@code new MetaTag(Attribute.NAME, "twitter:card", "summary_large_image")}. The content is
 * the raw value: escape it for HTML when writing it out, or use {@link #toHtml()}.
 *
 * @param attribute which attribute carries the key: {@code name} or {@code property}
 * @param key       the key, such as {@code og:title} or {@code description}
 * @param content   the value, unescaped; one line, never null
 */
public record MetaTag(Attribute attribute, String key, String content) {

    /** The attribute that names a meta tag. */
    public enum Attribute {
        /** {@code name="…"}: standard and {@code twitter:*} tags. */
        NAME,
        /** {@code property="…"}: Open Graph ({@code og:*}, {@code article:*}) tags. */
        PROPERTY;

        /** The attribute as written in HTML: {@code name} or {@code property}. */
        public String htmlName() {
            return this == NAME ? "name" : "property";
        }
    }

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException if a value is null, the key blank, or the content has a
     *                                  control character
     */
    public MetaTag {
        Arguments.notNull("attribute", attribute);
        Arguments.text("key", key, 100);
        Arguments.notNull("content", content);
        if (content.chars().anyMatch(Character::isISOControl)) {
            throw Arguments.invalid("content", "must not contain control characters", content);
        }
    }

    /** A {@code name="key"} tag. */
    public static MetaTag name(String key, String content) {
        return new MetaTag(Attribute.NAME, key, content);
    }

    /** A {@code property="key"} tag. */
    public static MetaTag property(String key, String content) {
        return new MetaTag(Attribute.PROPERTY, key, content);
    }

    /** This tag as HTML, every value escaped: {@code <meta property="og:title" content="…">}. */
    public String toHtml() {
        return "<meta " + attribute.htmlName() + "=\"" + Html.escape(key) + "\" content=\""
                + Html.escape(content) + "\">";
    }
}
