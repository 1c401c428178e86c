package dev.tracestore.examples.server;

import dev.tracestore.BatchResult;
import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.InvalidMessageException;
import dev.tracestore.Message;
import dev.tracestore.Page;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.web.OgImageRenderer;
import dev.tracestore.web.ShareCard;
import dev.tracestore.web.ShareSettings;
import dev.tracestore.web.TraceMetadata;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.web.server.context.WebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import tools.jackson.databind.json.JsonMapper;

/**
 * The example service's routes, for one namespace:
 * <ul>
 *   <li>{@code GET /} the list of public traces with their counts;
 *   <li>{@code GET /t/{token}} a trace page, by its share token: share metadata in the
 *       {@code <head>}, then the conversation;
 *   <li>{@code GET /t/{token}/og.png?v=…} its Open Graph image (weak {@code ETag}, 304; cached as
 *       immutable only when {@code v} is the current version; at most two renders at once);
 *   <li>{@code GET /api/traces} and {@code /api/traces/{token}}: the JSON {@link TraceSummary} page,
 *       with each listed trace's page URL in {@code links} by id, and the {@link TraceDetail};
 *   <li>{@code POST /api/traces/{id}/messages}, the owner's, with
 *       {@code Authorization: Bearer <tracestore.service.ingest-key>} (401 without it; the route
 *       is off, 404, when no key is configured): a batch of messages ({@link AppendRequest}), with
 *       the ingest cursor it expects and the one it advances to: 200 with what it applied, 409 with
 *       the stored cursor on a conflict, 400 naming the field on bad input, 404 for a trace that is
 *       unknown, private, or of another namespace.
 * </ul>
 * No public URL names a trace by its id, which is sequential: pages, images and the JSON detail
 * are addressed by the share token ({@link TraceStore#shareToken}). Lists show public traces only;
 * an unlisted trace is reachable by its link and marked {@code noindex}. A malformed, unknown or
 * revoked token, a private trace and another namespace's all answer the same 404, after the same
 * lookup of the token's key as a hit. Errors carry no detail of the server (Spring Boot's error responses never
 * include a stack trace).
 */
@Controller
final class TraceController implements ApplicationListener<WebServerInitializedEvent> {
    private static final MediaType HTML = MediaType.parseMediaType("text/html; charset=utf-8");
    private static final MediaType TEXT = MediaType.parseMediaType("text/plain; charset=utf-8");
    private static final MediaType PNG = MediaType.IMAGE_PNG;
    /** The largest batch body read: 8 MiB. */
    static final int MAX_BODY = 8 << 20;

    private final TraceStore store;
    private final String namespace;
    private final String baseUrl;
    private final JsonMapper json;
    private final OgImageRenderer images = OgImageRenderer.create();
    /** Rendered images by card version (which names everything the image shows): a render costs tens of milliseconds. */
    private final Map<String, byte[]> rendered = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > 64;
        }
    });
    private final Semaphore renders = new Semaphore(2);
    /** How many images were rendered: a flood of requests for cached versions renders none. */
    private final java.util.concurrent.atomic.AtomicLong rendersDone = new java.util.concurrent.atomic.AtomicLong();
    private volatile ShareSettings share;
    private volatile Pages pages;

    /** The owner's key for the write route, as bytes; empty when none is configured (the route is off). */
    private final byte[] ingestKey;

    TraceController(TraceStore store, JsonMapper json, @Value("${tracestore.service.namespace:local}") String namespace,
            @Value("${tracestore.service.base-url:}") String baseUrl,
            @Value("${tracestore.service.ingest-key:}") String ingestKey) {
        this.store = store;
        this.json = json;
        this.namespace = namespace;
        this.baseUrl = baseUrl;
        this.ingestKey = ingestKey.strip().getBytes(StandardCharsets.UTF_8);
    }

    /** The share links' base: {@code tracestore.service.base-url}, or this server's local address once it listens. */
    @Override
    public void onApplicationEvent(WebServerInitializedEvent event) {
        String base = baseUrl.isBlank() ? "http://localhost:" + event.getWebServer().getPort() : baseUrl;
        share = ShareSettings.builder(base).siteName("TraceStore demo").build();
        pages = new Pages(share);
    }

    ShareSettings share() {
        return share;
    }

    /** The URL of a public or unlisted trace's page, at its share token (made the first time). */
    String pageUrl(long traceId) {
        return share.traceUrl(store.shareToken(traceId));
    }

    long rendersDone() {
        return rendersDone.get();
    }

    // ---------------------------------------------------------------- pages

    @RequestMapping(path = "/", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<byte[]> list(@RequestParam Map<String, String> query) {
        Page<TraceSummary> page = listPublic(query);
        return page(ResponseEntity.ok(), "public, max-age=60")
                .body(pages.list(page.items(), this::tokenOf, page.nextCursor()).getBytes(StandardCharsets.UTF_8));
    }

    @RequestMapping(path = "/t/{token}", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<byte[]> trace(@PathVariable String token, @RequestParam(required = false) String after) {
        Optional<TraceDetail> trace = shared(token);
        if (trace.isEmpty()) {
            return notFound();
        }
        Page<Message> messages;
        try {
            messages = store.listMessages(trace.get().id(), after, 500);
        } catch (TraceNotFoundException deletedMeanwhile) {
            return notFound();
        } catch (IllegalArgumentException badCursor) {
            throw new BadRequest(badCursor.getMessage(), "after");
        }
        TraceMetadata metadata = TraceMetadata.of(trace.get(), token, share);
        return page(noindexIfUnlisted(ResponseEntity.ok(), trace.get()), cacheControl(trace.get(), "max-age=60"))
                .body(pages.trace(token, metadata, messages.items(), messages.nextCursor()).getBytes(StandardCharsets.UTF_8));
    }

    @RequestMapping(path = "/t/{token}/og.png", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<byte[]> image(@PathVariable String token, @RequestParam(name = "v", required = false) String requested,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        Optional<TraceDetail> trace = shared(token);
        if (trace.isEmpty()) {
            return notFound();
        }
        String version = ShareCard.of(trace.get()).version();
        HttpHeaders headers = new HttpHeaders();
        if (trace.get().visibility() == Visibility.UNLISTED) {
            headers.set("X-Robots-Tag", "noindex");
        }
        // Weak: the version names what the image shows; the bytes may differ across JDK versions.
        headers.setETag("W/\"" + version + "\"");
        headers.setCacheControl(cacheControl(trace.get(), version.equals(requested)
                ? "max-age=31536000, immutable" : "max-age=60, must-revalidate"));
        if (matches(ifNoneMatch, version)) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).headers(headers).build();
        }
        return ResponseEntity.ok().headers(headers).contentType(PNG).body(render(trace.get(), version));
    }

    // ---------------------------------------------------------------- API

    @RequestMapping(path = "/api/traces", method = {RequestMethod.GET, RequestMethod.HEAD})
    @ResponseBody
    Map<String, Object> apiList(@RequestParam Map<String, String> query) {
        Page<TraceSummary> page = listPublic(query);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", page.items());
        body.put("nextCursor", page.nextCursor());
        Map<Long, String> links = new LinkedHashMap<>(); // a public trace's page, by id: the detail is at its token
        for (TraceSummary t : page.items()) {
            String token = tokenOf(t.id());
            if (token != null) {
                links.put(t.id(), share.traceUrl(token));
            }
        }
        body.put("links", links);
        return body;
    }

    @RequestMapping(path = "/api/traces/{token}", method = {RequestMethod.GET, RequestMethod.HEAD})
    ResponseEntity<Object> apiTrace(@PathVariable String token) {
        Optional<TraceDetail> trace = shared(token);
        if (trace.isEmpty()) {
            return error(HttpStatus.NOT_FOUND, "not found", null);
        }
        return noindexIfUnlisted(ResponseEntity.ok(), trace.get()).contentType(MediaType.APPLICATION_JSON).body(trace.get());
    }

    @PostMapping(path = "/api/traces/{id:\\d{1,18}}/messages", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<Object> append(@PathVariable long id, jakarta.servlet.http.HttpServletRequest http) throws java.io.IOException {
        if (ingestKey.length == 0) {
            return error(HttpStatus.NOT_FOUND, "not found", null); // no key configured: the route is off
        }
        if (!authorized(http.getHeader(HttpHeaders.AUTHORIZATION))) {
            return ResponseEntity.status(HttpStatus.UNAUTHORIZED).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(Map.of("error", "this route needs Authorization: Bearer <the service's ingest key>"));
        }
        if (shareable(id).isEmpty()) {
            return error(HttpStatus.NOT_FOUND, "not found", null);
        }
        byte[] body = http.getInputStream().readNBytes(MAX_BODY + 1); // a slow sender is cut by the connection timeout
        if (body.length > MAX_BODY) {
            return error(HttpStatus.CONTENT_TOO_LARGE, "a batch's body must be at most " + MAX_BODY + " bytes", null);
        }
        AppendRequest request = AppendRequest.parse(json, body);
        try {
            BatchResult r = request.newCursor() == null ? store.upsertMessagesBatch(id, request.messages())
                    : store.appendMessages(id, request.messages(), request.expectedCursor(), request.newCursor());
            Map<String, Object> applied = new LinkedHashMap<>();
            applied.put("traceId", r.traceId());
            applied.put("received", r.received());
            applied.put("countIncrement", r.countIncrement());
            return ResponseEntity.ok(applied);
        } catch (IngestCursorConflictException e) {
            Map<String, Object> conflict = new LinkedHashMap<>();
            conflict.put("error", "the trace holds another ingest cursor: nothing was written");
            conflict.put("storedCursor", e.storedCursor());
            return ResponseEntity.status(HttpStatus.CONFLICT).body(conflict);
        } catch (InvalidMessageException e) {
            throw new BadRequest(e.getMessage(), "messages[" + e.index() + "]");
        } catch (TraceNotFoundException deletedMeanwhile) {
            return error(HttpStatus.NOT_FOUND, "not found", null);
        } catch (IllegalArgumentException e) {
            throw new BadRequest(e.getMessage(), e.getMessage().contains("Cursor") ? "newCursor" : "messages");
        }
    }

    /** A request the client got wrong: 400, with what and where. */
    static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String field;

        BadRequest(String message, String field) {
            super(message, null, false, false);
            this.field = field;
        }
    }

    @ExceptionHandler(BadRequest.class)
    ResponseEntity<Object> badRequest(BadRequest e) {
        return error(HttpStatus.BAD_REQUEST, e.getMessage(), e.field);
    }

    // ---------------------------------------------------------------- helpers

    private byte[] render(TraceDetail trace, String version) {
        byte[] png = rendered.get(version);
        if (png != null) {
            return png;
        }
        renders.acquireUninterruptibly();
        try {
            png = images.render(trace); // two racing renders of one version are harmless
            rendersDone.incrementAndGet();
        } finally {
            renders.release();
        }
        rendered.put(version, png);
        return png;
    }

    /** Whether an If-None-Match header names {@code version}: {@code *}, or a list of weak or strong tags. */
    private static boolean matches(String ifNoneMatch, String version) {
        if (ifNoneMatch == null) {
            return false;
        }
        for (String tag : ifNoneMatch.split(",")) {
            String t = tag.strip();
            if (t.equals("*") || t.equals("\"" + version + "\"") || t.equals("W/\"" + version + "\"")) {
                return true;
            }
        }
        return false;
    }

    /** Whether {@code authorization} carries the ingest key, compared in constant time. */
    private boolean authorized(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8);
        return java.security.MessageDigest.isEqual(given, ingestKey);
    }

    /** The trace this share token names, if it is in this namespace and public or unlisted: one indexed read. */
    private Optional<TraceDetail> shared(String token) {
        return store.findSharedTrace(token).filter(t -> t.namespace().equals(namespace));
    }

    /**
     * A listed (public) trace's share token, which its link names; null for one made private or
     * deleted since the listing read it, which the list then leaves out.
     */
    private String tokenOf(long traceId) {
        try {
            return store.shareToken(traceId);
        } catch (IllegalStateException | TraceNotFoundException changedMeanwhile) {
            return null;
        }
    }

    /** The trace, if it is in this namespace and public or unlisted: for the owner's write route only. */
    private Optional<TraceDetail> shareable(long id) {
        return store.getTrace(id).filter(t -> t.namespace().equals(namespace)
                && (t.visibility() == Visibility.PUBLIC || t.visibility() == Visibility.UNLISTED));
    }

    private static ResponseEntity.BodyBuilder noindexIfUnlisted(ResponseEntity.BodyBuilder response, TraceDetail trace) {
        return trace.visibility() == Visibility.UNLISTED ? response.header("X-Robots-Tag", "noindex") : response;
    }

    /** A page of the namespace's public traces, as the request's {@code limit} and {@code cursor} ask. */
    private Page<TraceSummary> listPublic(Map<String, String> query) {
        TraceQuery q = TraceQuery.namespace(namespace).withVisibility(Visibility.PUBLIC);
        try {
            if (query.containsKey("limit")) {
                q = q.limit(Integer.parseInt(query.get("limit")));
            }
            if (query.containsKey("cursor")) {
                q = q.after(query.get("cursor"));
            }
            return store.listTraces(q);
        } catch (NumberFormatException e) {
            throw new BadRequest("limit: must be a number; got \"" + query.get("limit") + "\"", "limit");
        } catch (IllegalArgumentException e) { // a limit out of range, a malformed or foreign cursor
            throw new BadRequest(e.getMessage(), query.containsKey("cursor") ? "cursor" : "limit");
        }
    }

    /**
     * An HTML page's headers: its Content-Security-Policy, no referrer sent from it, no framing,
     * and {@code cacheControl}.
     */
    private ResponseEntity.BodyBuilder page(ResponseEntity.BodyBuilder response, String cacheControl) {
        return response.contentType(HTML).header("Content-Security-Policy", pages.contentSecurityPolicy)
                .header("Referrer-Policy", "no-referrer").header("X-Frame-Options", "DENY")
                .header(HttpHeaders.CACHE_CONTROL, cacheControl);
    }

    /**
     * Who may keep a trace's page or image: anyone for a public trace; for an unlisted one only
     * the browser that asked ({@code private}), never a shared cache that others could read it from.
     */
    private static String cacheControl(TraceDetail trace, String lifetime) {
        return (trace.visibility() == Visibility.PUBLIC ? "public, " : "private, ") + lifetime;
    }

    private static ResponseEntity<byte[]> notFound() {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).contentType(TEXT).body("404 not found\n".getBytes(StandardCharsets.UTF_8));
    }

    private static ResponseEntity<Object> error(HttpStatus status, String message, String field) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", message);
        if (field != null) {
            body.put("field", field);
        }
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
