package dev.tracestore.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.TraceQuery;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jsoup.Jsoup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The example service under clients that mean it harm: idle and slow connections, a seeded
 * generator of bad requests on every route, and the headers a security review expects.
 */
class HostileClientsTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    static TraceStore store;
    static TraceServer server;
    static long open;
    static long unlisted;
    static long secret;
    static String openLink;
    static String unlistedLink;

    @BeforeAll
    static void start() {
        System.setProperty("java.awt.headless", "true");
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        open = store.upsertTrace(TraceInput.of("demo", "s-open").withTitle("Open").withVisibility(Visibility.PUBLIC)).id();
        store.upsertMessagesBatch(open, List.of(MessageInput.of("m-1", 1, Role.USER, "hello")));
        unlisted = store.upsertTrace(TraceInput.of("demo", "s-unlisted").withTitle("Unlisted").withVisibility(Visibility.UNLISTED)).id();
        secret = store.upsertTrace(TraceInput.of("demo", "s-secret").withTitle("Secret plans")).id();
        store.upsertMessagesBatch(secret, List.of(MessageInput.of("m-1", 1, Role.USER, "the launch codes")));
        openLink = store.shareToken(open);
        unlistedLink = store.shareToken(unlisted);
        // Short timeouts, so that the test sees idle and slow clients dropped within seconds.
        server = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0),
                Map.of("server.tomcat.connection-timeout", "1s", "server.tomcat.keep-alive-timeout", "1s",
                        "tracestore.service.ingest-key", "test-ingest-key"));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void htmlPages_carryAContentSecurityPolicyThatAllowsOnlyTheirOwnStyleAndImages() throws Exception {
        HttpResponse<String> page = get("/t/" + openLink);
        String csp = page.headers().firstValue("Content-Security-Policy").orElseThrow();
        assertThat(csp).contains("default-src 'none'", "frame-ancestors 'none'", "img-src 'self'", "base-uri 'none'")
                .doesNotContain("unsafe-inline", "script-src");
        String style = Jsoup.parse(page.body()).selectFirst("style").data();
        String hash = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-256")
                .digest(style.getBytes(StandardCharsets.UTF_8)));
        assertThat(csp).contains("style-src 'sha256-" + hash + "'");
        assertThat(Jsoup.parse(page.body()).select("script, iframe, object, form")).isEmpty();
        assertThat(page.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        assertThat(page.headers().firstValue("X-Frame-Options")).hasValue("DENY");
        assertThat(get("/").headers().firstValue("Content-Security-Policy")).hasValue(csp);
    }

    @Test
    void noSharedCacheKeepsAnUnlistedPageOrImage_everyResponseIsNosniff() throws Exception {
        assertThat(get("/t/" + unlistedLink).headers().firstValue("Cache-Control")).hasValueSatisfying(
                c -> assertThat(c).startsWith("private"));
        assertThat(get("/t/" + unlistedLink + "/og.png").headers().firstValue("Cache-Control")).hasValueSatisfying(
                c -> assertThat(c).startsWith("private"));
        assertThat(get("/t/" + openLink).headers().firstValue("Cache-Control")).hasValueSatisfying(
                c -> assertThat(c).startsWith("public"));
        for (String path : List.of("/", "/t/" + openLink, "/t/" + openLink + "/og.png", "/api/traces", "/api/traces/" + openLink,
                "/t/" + secret, "/nope", "/api/traces?limit=x")) {
            assertThat(get(path).headers().firstValue("X-Content-Type-Options")).as(path).hasValue("nosniff");
        }
    }

    @Test
    void aFloodOfImageRequestsWithRandomVersions_rendersNothingNew() throws Exception {
        get("/t/" + openLink + "/og.png");
        get("/t/" + unlistedLink + "/og.png");
        long before = server.rendersDone();
        Random random = new Random(3);
        for (int i = 0; i < 200; i++) {
            String trace = random.nextBoolean() ? openLink : unlistedLink;
            HttpResponse<String> image = get("/t/" + trace + "/og.png?v=" + Long.toHexString(random.nextLong()));
            assertThat(image.statusCode()).isEqualTo(200);
            assertThat(image.headers().firstValue("Cache-Control")).hasValueSatisfying(c -> assertThat(c).doesNotContain("immutable"));
        }
        for (int i = 0; i < 50; i++) {
            assertThat(get("/t/" + (secret + 1000 + random.nextInt(1_000_000)) + "/og.png?v=x").statusCode()).isEqualTo(404);
            assertThat(get("/t/" + randomToken(random) + "/og.png?v=x").statusCode()).isEqualTo(404);
        }
        assertThat(server.rendersDone()).as("only the current version of an existing shareable trace is ever rendered")
                .isEqualTo(before);
    }

    @Test
    void manyIdleConnections_thenANormalRequestStillAnswers_andTheIdleOnesAreDropped() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 300; i++) {
                idle.add(new Socket("127.0.0.1", server.port()));
            }
            assertThat(get("/").statusCode()).isEqualTo(200);
            assertThat(droppedByTheServer(idle.get(0))).as("an idle connection, after the connection timeout").isTrue();
            assertThat(droppedByTheServer(idle.get(idle.size() - 1))).isTrue();
        } finally {
            for (Socket s : idle) {
                s.close();
            }
        }
    }

    @Test
    void slowBodies_holdNothing_andWriteNothing() throws Exception {
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 30; i++) {
                Socket s = new Socket("127.0.0.1", server.port());
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/traces/" + open + "/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        + "Authorization: Bearer test-ingest-key\r\n"
                        + "Content-Length: 100000\r\n\r\n{\"messages\":[").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                slow.add(s);
            }
            assertThat(get("/api/traces/" + openLink).statusCode()).isEqualTo(200);
            assertThat(droppedByTheServer(slow.get(0))).as("a body that stops coming, after the connection timeout").isTrue();
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        assertThat(store.getTrace(open).orElseThrow().messageCount()).isEqualTo(1);
    }

    /** Whether the server closes the connection (or answers and closes it) within 10 s, the client sending nothing more. */
    private static boolean droppedByTheServer(Socket s) throws IOException {
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        try {
            while (in.read() != -1) {
                // an error response before the close is fine
            }
            return true;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    @Test
    void aSeededGeneratorOfBadRequests_getsClearClientErrors_noDetails_andWritesNothing() throws Exception {
        Map<Long, Long> before = counts();
        Random random = new Random(19);
        String[] methods = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
        String[] types = {"application/json", "text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1",
                "multipart/form-data; boundary=x", "*/*"};
        for (int i = 0; i < 600; i++) {
            String path = path(random);
            String method = methods[random.nextInt(methods.length)];
            HttpRequest.Builder request;
            try {
                request = HttpRequest.newBuilder(URI.create(server.baseUri().toString().replaceAll("/$", "") + path))
                        .timeout(Duration.ofSeconds(10));
            } catch (IllegalArgumentException notAUri) {
                continue; // HttpClient refuses it before sending; the raw cases below send such paths
            }
            byte[] body = body(random);
            request.method(method, method.equals("GET") || method.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(body));
            if (!method.equals("GET") && !method.equals("HEAD")) {
                request.header("Content-Type", types[random.nextInt(types.length)]);
            }
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).as(method + " " + path).isBetween(200, 499);
            assertThat(response.body()).as(method + " " + path).doesNotContain("Exception", "at dev.", "at org.", "Secret",
                    "launch codes");
        }
        for (String raw : List.of("GET /t/%zz HTTP/1.1", "GET /t/1\u0000 HTTP/1.1", "GET /../../etc/passwd HTTP/1.1",
                "BREW /t/1 HTTP/1.1", "GET /" + "a".repeat(20_000) + " HTTP/1.1", "GET /t/1 HTTP/9.9")) {
            String status = rawStatusLine(raw);
            assertThat(status).as(raw.substring(0, Math.min(40, raw.length()))).matches("HTTP/1\\.1 (4\\d\\d|505).*"); // 505: the version it does not speak
        }
        assertThat(counts()).as("nothing written").isEqualTo(before);
    }

    private static String path(Random random) {
        String[] routes = {"/", "/t/" + openLink, "/t/" + unlistedLink, "/t/" + secret, "/t/" + openLink + "/og.png", "/api/traces",
                "/api/traces/" + openLink, "/api/traces/" + open, "/api/traces/" + secret, "/api/traces/" + open + "/messages",
                "/t/" + open, "/t/" + unlisted, "/t/" + unlistedLink.toLowerCase(java.util.Locale.ROOT), "/t/" + randomToken(random),
                "/api/traces/" + secret + "/messages", "/api/traces/99999999999/messages", "/t/-1", "/t/9223372036854775807",
                "/t/" + "9".repeat(30), "/api/traces/abc", "/t/%2e%2e/%2e%2e", "/t/1/og.png/extra", "/%F0%9F%92%A5"};
        String[] queries = {"", "?limit=0", "?limit=-5", "?limit=99999999999999", "?cursor=" + "A".repeat(3000),
                "?cursor=%00%01", "?after=garbage", "?v=" + random.nextLong(), "?limit=10&limit=20", "?%%%", "?cursor=eyJ9"};
        return routes[random.nextInt(routes.length)] + queries[random.nextInt(queries.length)];
    }

    /** A well-formed share token that names nothing. */
    private static String randomToken(Random random) {
        byte[] b = new byte[30];
        random.nextBytes(b);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] body(Random random) {
        String[] bodies = {"", "{", "[]", "null", "{\"messages\":\"all\"}", "{\"messages\":[{\"externalId\":1}]}",
                "{\"newCursor\":\"" + "x".repeat(5000) + "\",\"messages\":[]}", "{\"messages\":[{\"externalId\":\"a\","
                + "\"sequence\":1,\"role\":\"user\"}]}", "{\"expectedCursor\":\"c\",\"messages\":[]}",
                "{\"messages\":[" + "{},".repeat(2000) + "{}]}"};
        if (random.nextInt(4) == 0) {
            byte[] junk = new byte[random.nextInt(4096)];
            random.nextBytes(junk);
            return junk;
        }
        return bodies[random.nextInt(bodies.length)].getBytes(StandardCharsets.UTF_8);
    }

    private static String rawStatusLine(String requestLine) throws IOException {
        try (Socket s = new Socket("127.0.0.1", server.port())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write((requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            byte[] head = s.getInputStream().readNBytes(64);
            String text = new String(head, StandardCharsets.ISO_8859_1);
            return text.contains("\r\n") ? text.substring(0, text.indexOf("\r\n")) : text;
        }
    }

    private static Map<Long, Long> counts() {
        Map<Long, Long> counts = new java.util.TreeMap<>();
        for (long id : List.of(open, unlisted, secret)) {
            counts.put(id, store.getTrace(id).orElseThrow().messageCount());
        }
        for (TraceSummary t : store.listTraces(TraceQuery.namespace("demo")).items()) {
            counts.putIfAbsent(t.id(), t.messageCount());
        }
        return counts;
    }
}
