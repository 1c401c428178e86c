package dev.tracestore.examples.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves one namespace's traces over HTTP:
 * <ul>
 *   <li>{@code /} the trace list with message counts;
 *   <li>{@code /t/{id}} a trace page: share metadata in the {@code <head>}, then the conversation;
 *   <li>{@code /t/{id}/og.png?v=…} its Open Graph image ({@code ETag}; cached as immutable only
 *       when {@code v} is the current version);
 *   <li>{@code /api/traces} and {@code /api/traces/{id}} the JSON {@link TraceSummary} page and
 *       {@link TraceDetail}.
 * </ul>
 * Lists show public traces only; an unlisted trace is reachable by its link and marked
 * {@code noindex} (page, image and API). Private traces and traces of other namespaces are 404
 * for page, image and API alike. Bad parameters are 400, unknown paths 404, other methods than
 * GET and HEAD 405; an unexpected failure is a 500 with no details (they go to the log).
 * Thread-safe; close it to stop.
 */
public final class TraceServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TraceServer.class);
    private static final Pattern TRACE = Pattern.compile("/t/(\\d{1,18})");
    private static final Pattern IMAGE = Pattern.compile("/t/(\\d{1,18})/og\\.png");
    private static final Pattern API_TRACE = Pattern.compile("/api/traces/(\\d{1,18})");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TraceStore store;
    private final String namespace;
    private final HttpServer server;
    private final ExecutorService executor;
    private final ShareSettings share;
    private final OgImageRenderer images = OgImageRenderer.create();
    /**
     * Rendered images by card version (which names everything the image shows, so equal versions
     * are equal images): a render costs tens of milliseconds, and crawlers ask often.
     */
    private final Map<String, byte[]> rendered = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
            return size() > 64;
        }
    });
    /** At most two renders at once, whatever the number of requests. */
    private final Semaphore renders = new Semaphore(2);
    private final Pages pages;

    private TraceServer(TraceStore store, String namespace, HttpServer server, ExecutorService executor) {
        this.store = store;
        this.namespace = namespace;
        this.server = server;
        this.executor = executor;
        InetSocketAddress bound = server.getAddress();
        this.share = ShareSettings.builder("http://localhost:" + bound.getPort()).siteName("TraceStore demo").build();
        this.pages = new Pages(share);
    }

    /**
     * Starts a server for {@code namespace} on {@code address} (port 0 picks a free port).
     *
     * @throws IOException if the address cannot be bound
     */
    public static TraceServer start(TraceStore store, String namespace, InetSocketAddress address) throws IOException {
        HttpServer http = HttpServer.create(address, 0);
        ExecutorService executor = Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "tracestore-http");
            t.setDaemon(true);
            return t;
        });
        http.setExecutor(executor);
        TraceServer server = new TraceServer(store, namespace, http, executor);
        http.createContext("/", server::handle);
        http.start();
        log.debug("Serving namespace {} at {}", namespace, server.baseUri());
        return server;
    }

    /** Where the server answers, such as {@code http://localhost:8080/}. */
    public URI baseUri() {
        return URI.create(share.baseUrl() + "/");
    }

    /** The URL of a trace's page. */
    public String traceUrl(long traceId) {
        return share.traceUrl(traceId);
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "text/plain; charset=utf-8", bytes("405 method not allowed\n"));
                return;
            }
            route(exchange);
        } catch (BadRequest e) {
            send(exchange, 400, "text/plain; charset=utf-8", bytes("400 bad request: " + e.getMessage() + "\n"));
        } catch (RuntimeException e) {
            log.error("Failed to serve {}", exchange.getRequestURI(), e);
            send(exchange, 500, "text/plain; charset=utf-8", bytes("500 internal error\n"));
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
        Matcher m;
        if (path.equals("/")) {
            Page<TraceSummary> page = listPublic(query);
            send(exchange, 200, "text/html; charset=utf-8", bytes(pages.list(page.items(), page.nextCursor())));
        } else if ((m = TRACE.matcher(path)).matches()) {
            Optional<TraceDetail> trace = shareable(Long.parseLong(m.group(1)));
            if (trace.isEmpty()) {
                notFound(exchange);
                return;
            }
            Page<Message> messages;
            try {
                messages = store.listMessages(trace.get().id(), query.get("after"), 500);
            } catch (TraceNotFoundException deletedMeanwhile) {
                notFound(exchange);
                return;
            } catch (IllegalArgumentException badCursor) {
                throw new BadRequest(badCursor.getMessage());
            }
            noindexIfUnlisted(exchange, trace.get());
            TraceMetadata metadata = TraceMetadata.of(trace.get(), share);
            send(exchange, 200, "text/html; charset=utf-8",
                    bytes(pages.trace(trace.get(), metadata, messages.items(), messages.nextCursor())));
        } else if ((m = IMAGE.matcher(path)).matches()) {
            image(exchange, m.group(1), query.get("v"));
        } else if (path.equals("/api/traces")) {
            Page<TraceSummary> page = listPublic(query);
            Map<String, Object> body = new HashMap<>();
            body.put("items", page.items());
            body.put("nextCursor", page.nextCursor());
            send(exchange, 200, "application/json", JSON.writeValueAsBytes(body));
        } else if ((m = API_TRACE.matcher(path)).matches()) {
            Optional<TraceDetail> trace = shareable(Long.parseLong(m.group(1)));
            if (trace.isEmpty()) {
                send(exchange, 404, "application/json", bytes("{\"error\":\"not found\"}"));
            } else {
                noindexIfUnlisted(exchange, trace.get());
                send(exchange, 200, "application/json", JSON.writeValueAsBytes(trace.get()));
            }
        } else {
            notFound(exchange);
        }
    }

    private void image(HttpExchange exchange, String id, String requestedVersion) throws IOException {
        Optional<TraceDetail> trace = shareable(Long.parseLong(id));
        if (trace.isEmpty()) {
            notFound(exchange);
            return;
        }
        String version = ShareCard.of(trace.get()).version();
        // Weak: the version names what the image shows; the bytes may differ across JDK versions.
        String etag = "W/\"" + version + "\"";
        noindexIfUnlisted(exchange, trace.get());
        var headers = exchange.getResponseHeaders();
        headers.set("ETag", etag);
        headers.set("Cache-Control", version.equals(requestedVersion)
                ? "public, max-age=31536000, immutable" : "public, max-age=60, must-revalidate");
        if (matches(exchange.getRequestHeaders().getFirst("If-None-Match"), version)) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        send(exchange, 200, "image/png", image(trace.get(), version));
    }

    private byte[] image(TraceDetail trace, String version) {
        byte[] png = rendered.get(version);
        if (png != null) {
            return png;
        }
        renders.acquireUninterruptibly();
        try {
            png = images.render(trace); // outside the map's lock; two racing renders of one version are harmless
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

    /** The trace, if it is in this namespace and public or unlisted. */
    private Optional<TraceDetail> shareable(long id) {
        return store.getTrace(id).filter(t -> t.namespace().equals(namespace)
                && (t.visibility() == Visibility.PUBLIC || t.visibility() == Visibility.UNLISTED));
    }

    private static void noindexIfUnlisted(HttpExchange exchange, TraceDetail trace) {
        if (trace.visibility() == Visibility.UNLISTED) {
            exchange.getResponseHeaders().set("X-Robots-Tag", "noindex");
        }
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
            throw new BadRequest("limit: must be a number; got \"" + query.get("limit") + "\"");
        } catch (IllegalArgumentException e) { // a limit out of range, a malformed or foreign cursor
            throw new BadRequest(e.getMessage());
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> params = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return params;
        }
        try {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                params.putIfAbsent(key, value);
            }
        } catch (IllegalArgumentException e) {
            throw new BadRequest("the query string is not URL-encoded");
        }
        return params;
    }

    /** A request the client got wrong: answered 400 with the message, which names the parameter. */
    private static final class BadRequest extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequest(String message) {
            super(message, null, false, false);
        }
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        send(exchange, 404, "text/plain; charset=utf-8", bytes("404 not found\n"));
    }

    private static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.getResponseHeaders().set("Content-Length", Integer.toString(body.length));
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
