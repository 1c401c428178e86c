package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ShareSettingsTest {

    @Test
    void defaults_buildPageAndImageUrls() {
        ShareSettings s = ShareSettings.builder("https://traces.example.com").build();
        assertThat(s.siteName()).isEqualTo("TraceStore");
        assertThat(s.traceUrl("Xq3v-T9_k")).isEqualTo("https://traces.example.com/t/Xq3v-T9_k");
        assertThat(s.imageUrl("Xq3v-T9_k", "0123abcd")).isEqualTo("https://traces.example.com/t/Xq3v-T9_k/og.png?v=0123abcd");
    }

    @Test
    void baseUrl_trailingSlashAndPathPrefix_areNormalised() {
        ShareSettings s = ShareSettings.builder("HTTP://Example.COM:8080/app/").siteName("Acme traces")
                .tracePath("/traces/{token}").imagePath("/og/{token}.png").build();
        assertThat(s.baseUrl()).isEqualTo("http://example.com:8080/app");
        assertThat(s.traceUrl("tok")).isEqualTo("http://example.com:8080/app/traces/tok");
        assertThat(s.imageUrl("tok", "v1")).isEqualTo("http://example.com:8080/app/og/tok.png?v=v1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "/t", "traces.example.com", "ftp://example.com", "file:///tmp",
        "https://", "https://example.com?x=1", "https://example.com/#top", "https://user:pw@example.com",
        "https://exa mple.com", "https://exämple.com", "javascript:alert(1)", "https://example.com/\n"})
    void baseUrl_invalid_isRejectedNamingTheField(String url) {
        assertThatThrownBy(() -> ShareSettings.builder(url).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("baseUrl: ");
    }

    @Test
    void baseUrl_null_isRejected() {
        assertThatThrownBy(() -> ShareSettings.builder(null).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("baseUrl: must not be null");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "t/{token}", "/t/", "/t/{token}/{token}", "/t/{token}?x=1", "/t/{token}#a", "/t/ {token}", "/t/{TOKEN}",
        "/t/{id}"})
    void tracePath_invalid_isRejected(String template) {
        assertThatThrownBy(() -> ShareSettings.builder("https://example.com").tracePath(template).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tracePath: ");
    }

    @Test
    void imagePath_sameAsTracePath_isRejected() {
        assertThatThrownBy(() -> ShareSettings.builder("https://example.com").imagePath("/t/{token}").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("imagePath: must differ from tracePath");
    }

    @Test
    void siteName_invalid_isRejected() {
        assertThatThrownBy(() -> ShareSettings.builder("https://example.com").siteName(" ").build())
                .hasMessageStartingWith("siteName: must not be blank");
        assertThatThrownBy(() -> ShareSettings.builder("https://example.com").siteName("a\nb").build())
                .hasMessageStartingWith("siteName: must not contain control characters");
        assertThatThrownBy(() -> ShareSettings.builder("https://example.com").siteName("x".repeat(61)).build())
                .hasMessageStartingWith("siteName: must be at most 60 characters");
    }

    @Test
    void imageUrl_badVersion_isRejected() {
        ShareSettings s = ShareSettings.builder("https://example.com").build();
        assertThatThrownBy(() -> s.imageUrl("tok", "a&b")).hasMessageStartingWith("version: ");
        assertThatThrownBy(() -> s.imageUrl("tok", "")).hasMessageStartingWith("version: ");
    }

    @Test
    void aTokenThatCannotStandInAPath_isRejectedWithoutQuotingIt() {
        ShareSettings s = ShareSettings.builder("https://example.com").build();
        for (String bad : new String[] {"", "../x", "a/b", "a?b", "a#b", "a%2Fb", "a b", "x".repeat(129)}) {
            assertThatThrownBy(() -> s.traceUrl(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("shareToken: must be 1 to 128 URL-safe base64 characters (A-Z a-z 0-9 - _)");
            assertThatThrownBy(() -> s.imageUrl(bad, "v1")).as(bad).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("shareToken: ");
        }
        assertThatThrownBy(() -> s.traceUrl(null)).hasMessage("shareToken: must not be null");
    }
}
