package dev.tracestore.web;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Where a site serves its trace pages and images, and what it is called: the input, besides a
 * trace, of {@link TraceMetadata#of(dev.tracestore.TraceDetail, ShareSettings)}. Immutable and
 * thread-safe; build one with {@link #builder(String)}.
 *
 * <p>A URL is the base URL followed by a path template in which {@value #ID_PLACEHOLDER} stands
 * for the trace's store id: with base {@code https://traces.example.com} and the default
 * templates, trace 42's page is {@code https://traces.example.com/t/42} and its image
 * {@code https://traces.example.com/t/42/og.png?v=<version>}.
 */
public final class ShareSettings {
    /** The placeholder for the trace's store id in a path template. */
    public static final String ID_PLACEHOLDER = "{id}";
    /** The default site name. */
    public static final String DEFAULT_SITE_NAME = "TraceStore";
    /** The default trace page path template. */
    public static final String DEFAULT_TRACE_PATH = "/t/{id}";
    /** The default image path template; the image URL adds {@code ?v=<version>}. */
    public static final String DEFAULT_IMAGE_PATH = "/t/{id}/og.png";

    private static final int MAX_SITE_NAME_LENGTH = 60;
    private static final int MAX_URL_LENGTH = 1000;

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

    /** The absolute URL of trace {@code traceId}'s page: the canonical URL and {@code og:url}. */
    public String traceUrl(long traceId) {
        return baseUrl + tracePath.replace(ID_PLACEHOLDER, Long.toString(traceId));
    }

    /**
     * The absolute URL of trace {@code traceId}'s image at {@code version} (see
     * {@link ShareCard#version()}), such as {@code https://traces.example.com/t/42/og.png?v=3f9a…}.
     *
     * @throws IllegalArgumentException if {@code version} is not 1 to 64 letters or digits
     */
    public String imageUrl(long traceId, String version) {
        Arguments.notNull("version", version);
        if (version.isEmpty() || version.length() > 64 || !version.chars().allMatch(ShareSettings::isAsciiAlnum)) {
            throw Arguments.invalid("version", "must be 1 to 64 ASCII letters or digits", version);
        }
        return baseUrl + imagePath.replace(ID_PLACEHOLDER, Long.toString(traceId)) + "?v=" + version;
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
         * The trace page path template: starts with {@code /}, contains {@value ShareSettings#ID_PLACEHOLDER}
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
            int first = value.indexOf(ID_PLACEHOLDER);
            if (first < 0 || value.indexOf(ID_PLACEHOLDER, first + 1) >= 0) {
                throw Arguments.invalid(field, "must contain " + ID_PLACEHOLDER + " exactly once", value);
            }
            String rest = value.replace(ID_PLACEHOLDER, "0");
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
