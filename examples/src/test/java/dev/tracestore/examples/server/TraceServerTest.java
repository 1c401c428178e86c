package dev.tracestore.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import javax.imageio.ImageIO;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The example service end to end: a real server on a free port, pages parsed by a real HTML parser. */
class TraceServerTest {
    private static final String HOSTILE = "\"><script>alert(1)</script>&'";
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    static TraceStore store;
    static TraceServer server;
    static long open;
    static long unlisted;
    static long secret;
    static long foreign;
    /** The share tokens the pages are addressed by; the secret one's was revoked when it turned private. */
    static String openLink;
    static String unlistedLink;
    static String secretLink;
    static String foreignLink;

    @BeforeAll
    static void start() throws IOException {
        System.setProperty("java.awt.headless", "true");
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        open = store.upsertTrace(TraceInput.of("demo", "s-open").withTitle(HOSTILE).withAgent("claude-code")
                .withModel("claude-opus-4-5").withVisibility(Visibility.PUBLIC)).id();
        store.upsertMessagesBatch(open, List.of(
                MessageInput.of("m-1", 1, Role.USER, "Why is <b>this</b> & that?\nSecond line"),
                MessageInput.of("m-2", 2, Role.ASSISTANT, "").withPartsJson(
                        "[{\"type\":\"tool_use\",\"name\":\"Bash\",\"input\":{\"command\":\"ls </script>\"}}]")));
        unlisted = store.upsertTrace(TraceInput.of("demo", "s-unlisted").withTitle("Unlisted one")
                .withAgent("codex").withVisibility(Visibility.UNLISTED)).id();
        secret = store.upsertTrace(TraceInput.of("demo", "s-secret").withTitle("Secret plans")
                .withVisibility(Visibility.UNLISTED)).id();
        secretLink = store.shareToken(secret);
        store.upsertTrace(TraceInput.of("demo", "s-secret").withVisibility(Visibility.PRIVATE));
        foreign = store.upsertTrace(TraceInput.of("elsewhere", "s-x").withTitle("Someone else's")
                .withVisibility(Visibility.PUBLIC)).id();
        openLink = store.shareToken(open);
        unlistedLink = store.shareToken(unlisted);
        foreignLink = store.shareToken(foreign);
        server = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<byte[]> get(String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.baseUri().resolve(path));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String text(HttpResponse<byte[]> response) {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    @Test
    void tracePage_hasExactlyOneOfEachShareTag_withAbsoluteConsistentUrls() throws Exception {
        HttpResponse<byte[]> response = get("/t/" + openLink);
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type.replace(" ", "")).isEqualToIgnoringCase("text/html;charset=utf-8"));
        Document page = Jsoup.parse(text(response), server.baseUri().toString());

        for (String property : List.of("og:title", "og:type", "og:url", "og:image", "og:description", "og:site_name",
                "og:image:width", "og:image:height", "og:image:type", "og:image:alt")) {
            assertThat(page.select("meta[property=" + property + "]")).as(property).hasSize(1);
        }
        for (String name : List.of("twitter:card", "twitter:title", "twitter:description", "twitter:image",
                "twitter:image:alt", "description")) {
            assertThat(page.select("meta[name=" + name + "]")).as(name).hasSize(1);
        }
        String ogUrl = page.selectFirst("meta[property=og:url]").attr("content");
        assertThat(ogUrl).isEqualTo(page.selectFirst("link[rel=canonical]").attr("href"))
                .isEqualTo(server.traceUrl(open));
        assertThat(page.selectFirst("meta[property=og:image]").attr("content"))
                .startsWith(server.baseUri() + "t/" + openLink + "/og.png?v=");
        assertThat(page.selectFirst("meta[name=description]").attr("content")).contains("2 messages");
        assertThat(page.selectFirst("meta[name=robots]")).isNull();
    }

    @Test
    void tracePage_escapesEveryValue_titlesAndMessagesRoundTripThroughAParser() throws Exception {
        Document page = Jsoup.parse(text(get("/t/" + openLink)));

        assertThat(page.select("script")).isEmpty();
        assertThat(page.selectFirst("meta[property=og:title]").attr("content")).isEqualTo(HOSTILE);
        assertThat(page.title()).startsWith(HOSTILE);
        assertThat(page.selectFirst("h1").text()).isEqualTo(HOSTILE);
        assertThat(page.select("div.msg.user .text").first().wholeText()).isEqualTo("Why is <b>this</b> & that?\nSecond line");
        assertThat(page.select("div.msg.assistant pre").text()).contains("ls </script>");
        assertThat(page.select("meta").eachAttr("content")).noneMatch(c -> c.contains("\n"));
    }

    @Test
    void unlistedTrace_isReachableByItsLink_butNoindexEverywhere() throws Exception {
        HttpResponse<byte[]> response = get("/t/" + unlistedLink);
        Document page = Jsoup.parse(text(response));
        assertThat(page.selectFirst("meta[name=robots]").attr("content")).contains("noindex");
        assertThat(response.headers().firstValue("X-Robots-Tag")).hasValue("noindex");
        assertThat(get("/t/" + unlistedLink + "/og.png").headers().firstValue("X-Robots-Tag")).hasValue("noindex");
        assertThat(get("/api/traces/" + unlistedLink).headers().firstValue("X-Robots-Tag")).hasValue("noindex");
        assertThat(get("/t/" + openLink).headers().firstValue("X-Robots-Tag")).isEmpty();
    }

    @Test
    void image_isA1200x630PngWithLengthAndETag_immutableOnlyAtItsCurrentVersion() throws Exception {
        Document page = Jsoup.parse(text(get("/t/" + openLink)));
        URI image = URI.create(page.selectFirst("meta[property=og:image]").attr("content"));

        HttpResponse<byte[]> response = get(image.getPath() + "?" + image.getQuery());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(response.headers().firstValueAsLong("Content-Length")).hasValue(response.body().length);
        assertThat(response.headers().firstValue("Cache-Control")).hasValue("public, max-age=31536000, immutable");
        BufferedImage png = ImageIO.read(new ByteArrayInputStream(response.body()));
        assertThat(png.getWidth()).isEqualTo(1200);
        assertThat(png.getHeight()).isEqualTo(630);

        String etag = response.headers().firstValue("ETag").orElseThrow();
        assertThat(etag).startsWith("W/\"");
        assertThat(get(image.getPath() + "?" + image.getQuery(), "If-None-Match", etag).statusCode()).isEqualTo(304);
        assertThat(get(image.getPath(), "If-None-Match", "\"other\", " + etag).statusCode()).isEqualTo(304);
        assertThat(get(image.getPath(), "If-None-Match", "\"other\"").statusCode()).isEqualTo(200);
        assertThat(get(image.getPath() + "?v=stale").headers().firstValue("Cache-Control"))
                .hasValueSatisfying(c -> assertThat(c).doesNotContain("immutable"));
    }

    @Test
    void list_showsPublicTracesOnly_withTheirCounts() throws Exception {
        Document list = Jsoup.parse(text(get("/")));
        assertThat(list.select("td a").eachText()).containsExactly(HOSTILE);
        assertThat(list.select("tr:has(a[href=/t/" + openLink + "]) td.n").text()).isEqualTo("2");
    }

    @Test
    void api_servesSummariesAndDetailsWithMessageCount() throws Exception {
        JsonNode page = JSON.readTree(get("/api/traces").body());
        assertThat(page.path("items")).hasSize(1);
        assertThat(page.path("items").get(0).path("messageCount").asLong()).isEqualTo(2);
        assertThat(page.path("nextCursor").isNull()).isTrue();

        HttpResponse<byte[]> detail = get("/api/traces/" + openLink);
        assertThat(detail.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode json = JSON.readTree(detail.body());
        assertThat(json.path("messageCount").asLong()).isEqualTo(2);
        assertThat(json.path("title").asText()).isEqualTo(HOSTILE);
    }

    @Test
    void api_writesWithSpringMvcsJackson3_exactlyWhatAPlainJackson2ObjectMapperWrites() throws Exception {
        assertThat(text(get("/api/traces/" + openLink))).isEqualTo(JSON.writeValueAsString(store.getTrace(open).orElseThrow()));
        String items = JSON.writeValueAsString(List.of(store.getTrace(open).orElseThrow().toSummary()));
        assertThat(text(get("/api/traces"))).isEqualTo("{\"items\":" + items + ",\"nextCursor\":null,\"links\":{\""
                + open + "\":\"" + server.traceUrl(open) + "\"}}");
    }

    @ParameterizedTest
    @CsvSource({
            "/t/{secret}, 404", "/t/{secret}/og.png, 404", "/api/traces/{secret}, 404",
            "/t/{foreign}, 404", "/t/{foreign}/og.png?v=x, 404", "/api/traces/{foreign}, 404",
            "/t/987654, 404", "/t/987654/og.png, 404", "/t/abc, 404", "/t/123456789012345678901234, 404",
            "/t/{openId}, 404", "/t/{openId}/og.png, 404", "/api/traces/{openId}, 404", "/t/{openKey}, 404",
            "/nope, 404", "/api/traces?limit=0, 400", "/api/traces?limit=many, 400", "/?cursor=garbage, 400",
            "/t/{open}?after=garbage, 400"})
    void privateUnknownAndBadRequests_areClearErrorsWithoutDetails(String path, int status) throws Exception {
        String resolved = path.replace("{secret}", secretLink).replace("{foreign}", foreignLink)
                .replace("{openId}", Long.toString(open)).replace("{openKey}", openLink.substring(0, 16) + "A".repeat(24))
                .replace("{open}", openLink);
        HttpResponse<byte[]> response = get(resolved);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(text(response)).doesNotContain("Secret", "Someone", "Exception", "at dev.");
    }

    @Test
    void otherMethods_are405_andHeadHasNoBody() throws Exception {
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(server.baseUri())
                .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValueSatisfying(allow -> assertThat(allow).contains("GET", "HEAD")
                .doesNotContain("POST"));

        HttpResponse<byte[]> head = HTTP.send(HttpRequest.newBuilder(server.baseUri())
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();
    }
}
