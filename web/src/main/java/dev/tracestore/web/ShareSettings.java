package dev.tracestore.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a site serves its trace pages and images, and what it is called: the input, besides a
 * trace, of {@link TraceMetadata#of(dev.tracestore.TraceDetail, String, ShareSettings)}. Immutable and
 * thread-safe; build one with {@link #builder(String)}.
 *
 * <p>A URL is the base URL followed by a path template in which {@value #TOKEN_PLACEHOLDER}
 * stands for the trace's share token ({@link dev.tracestore.TraceStore#shareToken(long)}), never
 * its store id, which is sequential and would let anyone walk every unlisted trace: with base
 * {@code https://traces.example.com} and the default templates, the page of the trace whose token
 * is {@code Xq3…} is {@code https://traces.example.com/t/Xq3…} and its image
 * {@code https://traces.example.com/t/Xq3…/og.png?v=<version>}.
 */
public final class ShareSettings {
    /** The placeholder for the trace's share token in a path template. */
    public static final String TOKEN_PLACEHOLDER = "{token}";
    /** The default site name. */
    public static final String DEFAULT_SITE_NAME = "TraceStore";
    /** The default trace page path template. */
    public static final String DEFAULT_TRACE_PATH = "/t/{token}";
    /** The default image path template; the image URL adds {@code ?v=<version>}. */
    public static final String DEFAULT_IMAGE_PATH = "/t/{token}/og.png";

    private static final int MAX_SITE_NAME_LENGTH = 60;
    private static final int MAX_URL_LENGTH = 1000;
    private static final int MAX_TOKEN_LENGTH = 128;

    private final String baseUrl;
    private final String siteName;
    private final String tracePath;
    private final String imagePath;

    private ShareSettings(String baseUrl, String siteName, String tracePath, String imagePath) {
        this.baseUrl = baseUrl;
        this.siteName = siteName;
        this.tracePath = tracePath;
        this.imagePath = imagePath;
    }

    /**
     * A builder for a site at {@code baseUrl}: an absolute {@code http} or {@code https} URL
     * with a host, optionally a path prefix, no query, fragment or user info, such as
     * {@code https://traces.example.com} or {@code https://example.com/app/}. A trailing slash
     * is ignored. The URL is checked when {@link Builder#build()} runs.
     */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /** The base URL, without a trailing slash, such as {@code https://traces.example.com}. */
    public String baseUrl() {
        return baseUrl;
    }

    /** The site name, for {@code og:site_name} and the page title; default {@value #DEFAULT_SITE_NAME}. */
    public String siteName() {
        return siteName;
    }

    /** The trace page path template; default {@value #DEFAULT_TRACE_PATH}. */
    public String tracePath() {
        return tracePath;
    }

    /** The image path template; default {@value #DEFAULT_IMAGE_PATH}. */
    public String imagePath() {
        return imagePath;
    }

    /**
     * The absolute URL of the page of the trace that {@code shareToken} shares: the canonical URL
     * and {@code og:url}.
     *
     * @throws IllegalArgumentException if the token is not 1 to 128 URL-safe base64 characters
     *                                  ({@code A-Z a-z 0-9 - _}); the message never quotes it
     */
    public String traceUrl(String shareToken) {
        return baseUrl + tracePath.replace(TOKEN_PLACEHOLDER, checkedToken(shareToken));
    }

    /**
     * The absolute URL of the image, at {@code version} (see {@link ShareCard#version()}), of the
     * trace that {@code shareToken} shares, such as {@code https://traces.example.com/t/Xq3…/og.png?v=3f9a…}.
     *
     * @throws IllegalArgumentException if the token is not as {@link #traceUrl(String)} requires,
     *                                  or {@code version} is not 1 to 64 letters or digits
     */
    public String imageUrl(String shareToken, String version) {
        String token = checkedToken(shareToken);
        Arguments.notNull("version", version);
        if (version.isEmpty() || version.length() > 64 || !version.chars().allMatch(ShareSettings::isAsciiAlnum)) {
            throw Arguments.invalid("version", "must be 1 to 64 ASCII letters or digits", version);
        }
        return baseUrl + imagePath.replace(TOKEN_PLACEHOLDER, token) + "?v=" + version;
    }

    /** The token, if it can stand in a URL path as it is; a secret, so an error never quotes it. */
    private static String checkedToken(String token) {
        Arguments.notNull("shareToken", token);
        boolean ok = !token.isEmpty() && token.length() <= MAX_TOKEN_LENGTH;
        for (int i = 0; ok && i < token.length(); i++) {
            char c = token.charAt(i);
            ok = isAsciiAlnum(c) || c == '-' || c == '_';
        }
        if (!ok) {
            throw new IllegalArgumentException("shareToken: must be 1 to " + MAX_TOKEN_LENGTH
                    + " URL-safe base64 characters (A-Z a-z 0-9 - _)");
        }
        return token;
    }

    private static boolean isAsciiAlnum(int c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    @Override
    public String toString() {
        return "ShareSettings[baseUrl=" + baseUrl + ", siteName=" + siteName + ", tracePath=" + tracePath
                + ", imagePath=" + imagePath + "]";
    }

    /**
     * Builds {@link ShareSettings}. Not thread-safe; {@link #build()} validates every setting and
     * the settings it returns no longer depend on the builder.
     */
    public static final class Builder {
        private final String baseUrl;
        private String siteName = DEFAULT_SITE_NAME;
        private String tracePath = DEFAULT_TRACE_PATH;
        private String imagePath = DEFAULT_IMAGE_PATH;

        private Builder(String baseUrl) {
            this.baseUrl = baseUrl;
        }

        /** The site name, 1 to 60 characters, no control characters; default {@value ShareSettings#DEFAULT_SITE_NAME}. */
        public Builder siteName(String siteName) {
            this.siteName = siteName;
            return this;
        }

        /**
         * The trace page path template: starts with {@code /}, contains {@value ShareSettings#TOKEN_PLACEHOLDER}
         * once, and otherwise only URL path characters (no query or fragment); default
         * {@value ShareSettings#DEFAULT_TRACE_PATH}.
         */
        public Builder tracePath(String template) {
            this.tracePath = template;
            return this;
        }

        /**
         * The image path template, with the rules of {@link #tracePath(String)} and different
         * from it; default {@value ShareSettings#DEFAULT_IMAGE_PATH}. The image URL appends {@code ?v=<version>}.
         */
        public Builder imagePath(String template) {
            this.imagePath = template;
            return this;
        }

        /**
         * Settings with these values.
         *
         * @throws IllegalArgumentException naming the setting, the rule and the value, if one is invalid
         */
        public ShareSettings build() {
            String base = normalisedBaseUrl(baseUrl);
            Arguments.text("siteName", siteName, MAX_SITE_NAME_LENGTH);
            pathTemplate("tracePath", tracePath);
            pathTemplate("imagePath", imagePath);
            if (tracePath.equals(imagePath)) {
                throw Arguments.invalid("imagePath", "must differ from tracePath", imagePath);
            }
            return new ShareSettings(base, siteName, tracePath, imagePath);
        }

        private static String normalisedBaseUrl(String value) {
            Arguments.text("baseUrl", value, MAX_URL_LENGTH);
            URI uri;
            try {
                uri = new URI(value);
            } catch (URISyntaxException e) {
                throw Arguments.invalid("baseUrl", "must be a valid URL (" + e.getReason() + ")", value);
            }
            String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!uri.isAbsolute() || !("http".equals(scheme) || "https".equals(scheme))) {
                throw Arguments.invalid("baseUrl", "must be an absolute http or https URL", value);
            }
            if (uri.getHost() == null || uri.getHost().isEmpty()) {
                throw Arguments.invalid("baseUrl", "must have a host", value);
            }
            if (uri.getRawUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
                throw Arguments.invalid("baseUrl", "must have no user info, query or fragment", value);
            }
            if (!value.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
                throw Arguments.invalid("baseUrl", "must be ASCII without spaces (percent-encode or punycode it)", value);
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            String authority = uri.getRawAuthority();
            return scheme + "://" + authority.toLowerCase(Locale.ROOT) + path;
        }

        private static void pathTemplate(String field, String value) {
            Arguments.text(field, value, MAX_URL_LENGTH);
            if (!value.startsWith("/")) {
                throw Arguments.invalid(field, "must start with /", value);
            }
            int first = value.indexOf(TOKEN_PLACEHOLDER);
            if (first < 0 || value.indexOf(TOKEN_PLACEHOLDER, first + 1) >= 0) {
                throw Arguments.invalid(field, "must contain " + TOKEN_PLACEHOLDER + " exactly once", value);
            }
            String rest = value.replace(TOKEN_PLACEHOLDER, "0");
            for (int i = 0; i < rest.length(); i++) {
                char c = rest.charAt(i);
                boolean ok = isAsciiAlnum(c) || "/-._~!$&'()*+,;=:@%".indexOf(c) >= 0;
                if (!ok) {
                    throw Arguments.invalid(field, "must hold only URL path characters (no query, fragment or space)", value);
                }
            }
        }
    }
}
