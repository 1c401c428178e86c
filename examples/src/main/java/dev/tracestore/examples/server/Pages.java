package dev.tracestore.examples.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracestore.Message;
import dev.tracestore.TraceSummary;
import dev.tracestore.web.Html;
import dev.tracestore.web.ShareCard;
import dev.tracestore.web.ShareSettings;
import dev.tracestore.web.TraceMetadata;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Server-rendered HTML of the example app. Every value is escaped. */
final class Pages {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);
    private static final int TOOL_INPUT_PREVIEW = 2000;
    private static final String STYLE = """
            <style>
            body{font:16px/1.5 system-ui,sans-serif;max-width:860px;margin:2rem auto;padding:0 1rem;color:#1d2330}
            a{color:#3454d1;text-decoration:none}a:hover{text-decoration:underline}
            table{border-collapse:collapse;width:100%}td,th{padding:.4rem .6rem;border-bottom:1px solid #e3e6ee;text-align:left}
            td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
            .meta{color:#5b6478}.msg{border:1px solid #e3e6ee;border-radius:8px;margin:1rem 0;padding:.6rem .9rem}
            .role{font-size:.8rem;font-weight:600;text-transform:uppercase;color:#5b6478}
            .user{background:#f5f7ff}.tool{background:#fafafa}.text{white-space:pre-wrap;word-wrap:break-word}
            pre{white-space:pre-wrap;word-wrap:break-word;background:#f3f4f7;padding:.5rem;border-radius:6px;font-size:.85rem}
            img.og{width:100%;max-width:600px;border:1px solid #e3e6ee;border-radius:8px}
            </style>
            """;

    /**
     * The pages' Content-Security-Policy: nothing but their one inline style (by its hash) and
     * images from the share links' origin (the Open Graph image); no script, no frame, no form.
     */
    final String contentSecurityPolicy;

    private final ShareSettings share;

    Pages(ShareSettings share) {
        String css = STYLE.substring(STYLE.indexOf('>') + 1, STYLE.lastIndexOf("</style>"));
        String hash;
        try {
            hash = java.util.Base64.getEncoder().encodeToString(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(css.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        java.net.URI base = java.net.URI.create(share.baseUrl());
        String origin = base.getScheme() + "://" + base.getAuthority();
        this.contentSecurityPolicy = "default-src 'none'; style-src 'sha256-" + hash + "'; img-src 'self' " + origin
                + "; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        this.share = share;
    }

    /** The list page; {@code tokenOf} gives a listed trace's share token, which its link names, or null to leave it out. */
    String list(List<TraceSummary> traces, java.util.function.LongFunction<String> tokenOf, String nextCursor) {
        StringBuilder html = new StringBuilder(4096);
        html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>").append(Html.escape(share.siteName())).append("</title>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append(STYLE).append("</head>\n<body>\n<h1>").append(Html.escape(share.siteName())).append("</h1>\n");
        if (traces.isEmpty()) {
            html.append("<p>No traces yet.</p>\n");
        } else {
            html.append("<table>\n<tr><th>Title</th><th>Agent</th><th class=\"n\">Messages</th><th>Updated</th></tr>\n");
            for (TraceSummary t : traces) {
                String token = tokenOf.apply(t.id());
                if (token == null) {
                    continue; // made private or deleted since it was listed
                }
                html.append("<tr><td><a href=\"/t/").append(token).append("\">")
                        .append(Html.escape(t.title() == null ? t.externalId() : t.title())).append("</a></td><td>")
                        .append(Html.escape(t.agentId() == null ? "" : t.agentId())).append("</td><td class=\"n\">")
                        .append(String.format("%,d", t.messageCount())).append("</td><td>")
                        .append(TIME.format(t.updatedAt())).append("</td></tr>\n");
            }
            html.append("</table>\n");
        }
        if (nextCursor != null) {
            html.append("<p><a href=\"/?cursor=").append(Html.escape(url(nextCursor))).append("\">Older traces →</a></p>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }

    /** A trace's page, at the share token {@code token}. */
    String trace(String token, TraceMetadata metadata, List<Message> messages, String nextCursor) {
        ShareCard card = metadata.card();
        StringBuilder html = new StringBuilder(16_384);
        html.append("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append(metadata.toHeadHtml()).append(STYLE).append("</head>\n<body>\n")
                .append("<p><a href=\"/\">← All traces</a></p>\n")
                .append("<h1>").append(Html.escape(card.title())).append("</h1>\n")
                .append("<p class=\"meta\">").append(Html.escape(card.agentName()));
        if (card.model() != null) {
            html.append(" · ").append(Html.escape(card.model()));
        }
        html.append(" · ").append(Html.escape(card.messageCountText())).append(" · ")
                .append(Html.escape(card.dateText())).append("</p>\n")
                .append("<p><img class=\"og\" src=\"").append(Html.escape(metadata.imageUrl())).append("\" alt=\"")
                .append(Html.escape(card.altText())).append("\"></p>\n");
        for (Message m : messages) {
            message(html, m);
        }
        if (nextCursor != null) {
            html.append("<p><a href=\"/t/").append(token).append("?after=").append(Html.escape(url(nextCursor)))
                    .append("\">More messages →</a></p>\n");
        }
        return html.append("</body>\n</html>\n").toString();
    }

    private static void message(StringBuilder html, Message m) {
        String role = m.role().wireName();
        html.append("<div class=\"msg ").append(role).append("\" id=\"m-").append(Html.escape(m.externalId()))
                .append("\">\n<div class=\"role\">").append(role).append(" · ").append(TIME.format(m.createdAt()))
                .append("</div>\n");
        JsonNode parts = parts(m.partsJson());
        for (JsonNode part : parts) {
            String type = part.path("type").asText("");
            if (type.equals("thinking")) {
                html.append("<details><summary>Thinking</summary><div class=\"text\">")
                        .append(Html.escape(part.path("thinking").asText(""))).append("</div></details>\n");
            }
        }
        if (!m.text().isEmpty()) {
            html.append("<div class=\"text\">").append(Html.escape(m.text())).append("</div>\n");
        }
        for (JsonNode part : parts) {
            String type = part.path("type").asText("");
            if (type.equals("tool_use") || type.endsWith("_call")) {
                String name = part.path("name").asText(type);
                JsonNode input = part.has("input") ? part.get("input") : part.has("arguments") ? part.get("arguments")
                        : part.path("action");
                String shown = input.isTextual() ? input.asText() : input.toString();
                if (shown.length() > TOOL_INPUT_PREVIEW) {
                    shown = shown.substring(0, TOOL_INPUT_PREVIEW) + "…";
                }
                html.append("<div>Tool call: <b>").append(Html.escape(name)).append("</b></div><pre>")
                        .append(Html.escape(shown)).append("</pre>\n");
            }
        }
        html.append("</div>\n");
    }

    private static JsonNode parts(String json) {
        if (json == null) {
            return JSON.createArrayNode();
        }
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return JSON.createArrayNode(); // the store only accepts JSON arrays; nothing to show otherwise
        }
    }

    private static String url(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
