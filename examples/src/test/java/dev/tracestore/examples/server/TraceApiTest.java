package dev.tracestore.examples.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The JSON API's writes over real HTTP: batches with the ingest cursor, and every way to get one wrong. */
class TraceApiTest {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String KEY = "a-test-ingest-key";

    static TraceStore store;
    static TraceServer server;
    static long open;
    static long secret;

    @BeforeAll
    static void start() {
        store = TraceStore.builder().storage(InMemoryTraceStorage.create()).build();
        open = store.upsertTrace(TraceInput.of("demo", "s-open").withVisibility(Visibility.UNLISTED)).id();
        secret = store.upsertTrace(TraceInput.of("demo", "s-secret").withTitle("Secret plans")).id();
        server = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0),
                Map.of("tracestore.service.ingest-key", KEY));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static HttpResponse<String> post(long trace, String contentType, String body) throws Exception {
        return post(trace, contentType, body, "Bearer " + KEY);
    }

    private static HttpResponse<String> post(long trace, String contentType, String body, String authorization)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.baseUri().resolve("api/traces/" + trace + "/messages"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String batch(String expected, String next, String... ids) {
        StringBuilder messages = new StringBuilder();
        for (String id : ids) {
            messages.append(messages.length() > 0 ? "," : "").append("{\"externalId\":\"").append(id)
                    .append("\",\"sequence\":1,\"role\":\"assistant\",\"text\":\"hi\",\"usage\":{\"inputTokens\":3,\"outputTokens\":5},"
                            + "\"toolCalls\":1}");
        }
        return "{" + (expected == null ? "" : "\"expectedCursor\":\"" + expected + "\",") + "\"newCursor\":\"" + next
                + "\",\"messages\":[" + messages + "]}";
    }

    @Test
    void appendsWithTheCursor_aResentBatchIs409WithTheStoredCursor_andCountsOnce() throws Exception {
        HttpResponse<String> first = post(open, "application/json", batch(null, "offset 2", "a", "b"));
        assertThat(first.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(first.body()).path("countIncrement").asInt()).isEqualTo(2);

        HttpResponse<String> again = post(open, "application/json", batch(null, "offset 2", "a", "b"));
        assertThat(again.statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(again.body()).path("storedCursor").asText()).isEqualTo("offset 2");

        assertThat(post(open, "application/json", batch("offset 2", "offset 3", "c")).statusCode()).isEqualTo(200);
        JsonNode detail = JSON.readTree(HTTP.send(HttpRequest.newBuilder(server.baseUri().resolve("api/traces/" + store.shareToken(open))).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        assertThat(detail.path("messageCount").asLong()).isEqualTo(3);
        assertThat(detail.path("toolCallCount").asLong()).isEqualTo(3);
        assertThat(detail.path("tokens").path("outputTokens").asLong()).isEqualTo(15);
        assertThat(detail.path("ingestCursor").asText()).isEqualTo("offset 3");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "not json                                                       | ''",
            "[]                                                             | ''",
            "{\"messages\":{}}                                              | messages",
            "{\"messages\":[],\"extra\":1}                                  | extra",
            "{\"messages\":[{\"sequence\":1,\"role\":\"user\",\"text\":\"x\"}]} | messages[0].externalId",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":\"1\",\"role\":\"user\",\"text\":\"x\"}]} | messages[0].sequence",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":1,\"role\":\"robot\",\"text\":\"x\"}]} | messages[0].role",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":1,\"role\":\"user\"}]} | messages[0].text",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":1,\"role\":\"user\",\"text\":\"x\",\"createdAt\":\"yesterday\"}]} | messages[0].createdAt",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":1,\"role\":\"user\",\"text\":\"x\",\"usage\":{\"inputTokens\":-1}}]} | messages[0].usage.inputTokens",
            "{\"messages\":[{\"externalId\":\"a\",\"sequence\":1,\"role\":\"user\",\"text\":\"x\",\"partsJson\":\"not an array\"}]} | messages[0]",
            "{\"expectedCursor\":\"x\",\"messages\":[]}                     | newCursor"})
    void badInputIs400NamingTheField_andWritesNothing(String body, String field) throws Exception {
        long before = store.getTrace(open).orElseThrow().messageCount();
        HttpResponse<String> response = post(open, "application/json", body.strip());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(response.body()).path("field").asText()).isEqualTo(field);
        assertThat(response.body()).doesNotContain("Exception", "at dev.");
        assertThat(store.getTrace(open).orElseThrow().messageCount()).isEqualTo(before);
    }

    @Test
    void privateAndUnknownTraces_are404_andOtherContentTypes415() throws Exception {
        assertThat(post(secret, "application/json", batch(null, "c", "a")).statusCode()).isEqualTo(404);
        assertThat(post(987654, "application/json", batch(null, "c", "a")).statusCode()).isEqualTo(404);
        assertThat(post(secret, "application/json", batch(null, "c", "a")).body()).doesNotContain("Secret");
        assertThat(store.getTrace(secret).orElseThrow().messageCount()).isZero();
        assertThat(post(open, "text/plain", batch(null, "c2", "z")).statusCode()).isEqualTo(415);
    }

    @Test
    void withoutTheIngestKey_is401AndWritesNothing_andWithoutAConfiguredKeyTheRouteIsOff() throws Exception {
        for (String authorization : new String[] {null, "Bearer", "Bearer wrong-key", "Basic " + KEY, "Bearer " + KEY + "x",
                "Bearer " + KEY.substring(1)}) {
            HttpResponse<String> response = post(open, "application/json", batch(null, "k", "a"), authorization);
            assertThat(response.statusCode()).as(String.valueOf(authorization)).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
        }
        assertThat(store.getTrace(open).orElseThrow().ingestCursor()).as("nothing written").isNotEqualTo("k");

        try (TraceServer keyless = TraceServer.start(store, "demo", new InetSocketAddress("127.0.0.1", 0))) {
            HttpResponse<String> off = HTTP.send(HttpRequest.newBuilder(keyless.baseUri().resolve("api/traces/" + open
                    + "/messages")).header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(batch(null, "k", "a"))).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(off.statusCode()).isEqualTo(404);
        }
        assertThat(store.getTrace(open).orElseThrow().ingestCursor()).isNotEqualTo("k");
    }
}
