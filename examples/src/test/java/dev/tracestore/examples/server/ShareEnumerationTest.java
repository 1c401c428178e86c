package dev.tracestore.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A prober walking the service: every store id on every route, thousands of random tokens, the
 * revoked tokens and those of traces made private. It finds no unlisted or private page, and
 * every miss is the same 404, byte for byte; only the current token of a shareable trace opens
 * its page.
 */
class ShareEnumerationTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String MARK = "UNLISTED-CONTENT-";

    static TraceStore store;
    static TraceServer server;
    static long lastId;
    /** Tokens that must open nothing: revoked ones, and those of traces made private since. */
    static final List<String> dead = new ArrayList<>();
    /** The current token of each shareable trace of the service's namespace, by id. */
    static final Map<Long, String> live = new TreeMap<>();

    @BeforeAll
    static void start() {
        System.setProperty("java.awt.headless", "true");
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        Visibility[] kinds = {Visibility.PUBLIC, Visibility.UNLISTED, Visibility.PRIVATE};
        for (int i = 0; i < 60; i++) {
            String namespace = i % 10 == 9 ? "elsewhere" : "demo";
            Visibility visibility = kinds[i % 3];
            long id = store.upsertTrace(TraceInput.of(namespace, "s-" + i).withTitle(MARK + i)
                    .withVisibility(visibility == Visibility.PRIVATE ? Visibility.UNLISTED : visibility)).id();
            store.upsertMessagesBatch(id, List.of(MessageInput.of("m", 1, Role.USER, MARK + "text " + i)));
            String token = store.shareToken(id);
            if (visibility == Visibility.PRIVATE) { // shared once, then made private: its link must die
                store.upsertTrace(TraceInput.of(namespace, "s-" + i).withVisibility(Visibility.PRIVATE));
                dead.add(token);
            } else if (i % 7 == 0) { // revoked: its old link must die, its new one works
                store.revokeShareToken(id);
                dead.add(token);
                token = store.shareToken(id);
            }
            if (visibility != Visibility.PRIVATE && namespace.equals("demo")) {
                live.put(id, token);
            } else if (visibility != Visibility.PRIVATE) {
                dead.add(token); // another namespace's link: not this service's to serve
            }
            lastId = id;
        }
        server = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve(path)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A miss: 404, the one body every miss has, and nothing of any trace. */
    private static void assertMiss(String path, String notFound) throws Exception {
        HttpResponse<String> response = get(path);
        assertThat(response.statusCode()).as(path).isEqualTo(404);
        assertThat(response.body()).as(path).isEqualTo(notFound).doesNotContain(MARK);
    }

    @Test
    void walkingEveryIdOnEveryRoute_findsNoPage() throws Exception {
        String notFound = get("/t/0").body();
        String apiNotFound = get("/api/traces/0").body();
        for (long id = 0; id <= lastId + 20; id++) {
            assertMiss("/t/" + id, notFound);
            assertMiss("/t/" + id + "/og.png", notFound);
            assertMiss("/t/" + id + "/og.png?v=" + id, notFound);
            assertMiss("/api/traces/" + id, apiNotFound);
        }
    }

    @Test
    void randomRevokedPrivateAndForeignTokens_findNoPage_andEachMissIsTheSame404() throws Exception {
        String notFound = get("/t/0").body();
        String apiNotFound = get("/api/traces/0").body();
        Random random = new Random(42);
        List<String> probes = new ArrayList<>(dead);
        for (int i = 0; i < 5_000; i++) {
            byte[] b = new byte[30];
            random.nextBytes(b);
            probes.add(Base64.getUrlEncoder().withoutPadding().encodeToString(b));
        }
        for (String token : live.values()) { // a live key with a wrong secret, and the token's halves alone
            probes.add(token.substring(0, 16) + probes.get(probes.size() - 1).substring(16));
            probes.add(token.substring(0, 16));
            probes.add(token.substring(16));
        }
        for (String token : probes) {
            assertMiss("/t/" + token, notFound);
            assertMiss("/api/traces/" + token, apiNotFound);
        }
        for (String token : dead) {
            assertMiss("/t/" + token + "/og.png", notFound);
        }
    }

    @Test
    void onlyTheCurrentTokenOfAShareableTraceOpensItsPage_andTheListLinksPublicOnes() throws Exception {
        for (Map.Entry<Long, String> e : live.entrySet()) {
            HttpResponse<String> page = get("/t/" + e.getValue());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains(MARK + "text").doesNotContain("/t/" + e.getKey() + "\"");
            assertThat(get("/api/traces/" + e.getValue()).statusCode()).isEqualTo(200);
        }
        Matcher links = Pattern.compile("href=\"/t/([^\"?]+)\"").matcher(get("/").body());
        List<String> listed = new ArrayList<>();
        while (links.find()) {
            listed.add(links.group(1));
        }
        List<String> publicTokens = live.entrySet().stream()
                .filter(e -> store.getTrace(e.getKey()).orElseThrow().visibility() == Visibility.PUBLIC)
                .map(Map.Entry::getValue).toList();
        assertThat(listed).containsExactlyInAnyOrderElementsOf(publicTokens);
    }
}
