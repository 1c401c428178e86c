package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class OgImageRendererTest {
    static final OgImageRenderer RENDERER = OgImageRenderer.create();
    static final LocalDate DAY = LocalDate.of(2025, 11, 29);
    static final int BACKGROUND = 0x0E1117;

    static ShareCard card(String title, long count) {
        return new ShareCard(title, "Claude Code", "claude-opus-4-5", count, DAY);
    }

    static BufferedImage decode(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image).as("decodes as an image").isNotNull();
        return image;
    }

    @Test
    @DisplayName("renders a 1200x630 opaque PNG under 300 KB, and saves a sample to target/")
    void render_isA1200x630OpaquePngUnder300Kb() throws IOException {
        ShareCard sample = new ShareCard("Fix flaky date test in the billing service's invoice scheduler", "Claude Code",
                "claude-opus-4-5", 1284, 2_100_000, 87, DAY);
        byte[] png = RENDERER.render(sample);
        assertThat(png).startsWith(0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n');
        BufferedImage image = decode(png);
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(630);
        assertThat(image.getColorModel().hasAlpha()).isFalse();
        assertThat(image.getTransparency()).isEqualTo(java.awt.Transparency.OPAQUE);
        assertThat(png.length).isLessThan(300 * 1024);
        Files.createDirectories(Path.of("target"));
        Files.write(Path.of("target", "og-sample.png"), png);

        long best = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            long start = System.nanoTime();
            RENDERER.render(sample);
            best = Math.min(best, System.nanoTime() - start);
        }
        System.out.printf("og-sample.png: %d bytes; best of 10 warm renders: %.1f ms%n", png.length, best / 1e6);
    }

    @Test
    @DisplayName("the same card gives byte-identical PNGs, so the image can be cached and served with an ETag")
    void render_isDeterministic() {
        ShareCard c = card("Deterministic — 修复 مرحبا 😀", 77);
        byte[] first = RENDERER.render(c);
        assertThat(RENDERER.render(new ShareCard(c.title(), c.agentName(), c.model(), c.messageCount(), c.date())))
                .isEqualTo(first);
    }

    @Test
    @DisplayName("one renderer serves concurrent renders, each giving the same bytes as a lone render")
    void render_isThreadSafe() throws Exception {
        List<ShareCard> cards = List.of(card("First 修复", 1), card("Second مرحبا", 22), card("Third", 333));
        List<byte[]> expected = cards.stream().map(RENDERER::render).toList();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                int k = i % cards.size();
                results.add(pool.submit(() -> java.util.Arrays.equals(RENDERER.render(cards.get(k)), expected.get(k))));
            }
            for (java.util.concurrent.Future<Boolean> r : results) {
                assertThat(r.get(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void render_differsWhenTheCountDiffers() {
        assertThat(RENDERER.render(card("Same title", 1284))).isNotEqualTo(RENDERER.render(card("Same title", 1285)));
    }

    @Test
    @DisplayName("tokens and tool calls are drawn: each changes the image, and a card without them draws as before")
    void render_drawsTokensAndToolCalls() {
        byte[] plain = RENDERER.render(card("Same title", 1284));
        assertThat(RENDERER.render(new ShareCard("Same title", "Claude Code", "claude-opus-4-5", 1284, 0, 0, DAY)))
                .isEqualTo(plain);
        byte[] tokens = RENDERER.render(withTotals(1284, 2_100_000, 0));
        assertThat(tokens).isNotEqualTo(plain);
        assertThat(RENDERER.render(withTotals(1284, 2_200_000, 0))).isNotEqualTo(tokens);
        byte[] toolCalls = RENDERER.render(withTotals(1284, 0, 87));
        assertThat(toolCalls).isNotEqualTo(plain).isNotEqualTo(tokens);
        assertThat(RENDERER.render(withTotals(1284, 0, 88))).isNotEqualTo(toolCalls);
    }

    @Test
    @DisplayName("totals that draw the same figure give the same bytes and the same version, so the cache holds")
    void render_sameFigure_sameImageAndVersion() {
        ShareCard a = withTotals(1284, 2_100_000, 87);
        ShareCard b = withTotals(1284, 2_149_999, 87);
        assertThat(RENDERER.render(b)).isEqualTo(RENDERER.render(a));
        assertThat(b.version()).isEqualTo(a.version());
    }

    static ShareCard withTotals(long messages, long tokens, long toolCalls) {
        return new ShareCard("Same title", "Claude Code", "claude-opus-4-5", messages, tokens, toolCalls, DAY);
    }

    @ParameterizedTest(name = "[{index}] {0} messages, {1} tokens, {2} tool calls, model {3} -> {4} counts")
    @CsvSource(delimiter = '|', nullValues = "none", value = {
        "1284|2100000|87|claude-opus-4-5|3",
        "12|950|1|none|3",
        "1|1|1|claude-opus-4-5|3",
        "1284|0|0|claude-opus-4-5|1",
        "1284|0|87|claude-opus-4-5|2",
        "98765|345678901|12345|gpt-5-codex-high|2",
        "999999|999949999999|999999|claude-opus-4-5|2",
        "999999|999949999999|999999|none|3",
        "9223372036854775807|9223372036854775807|9223372036854775807|none|1",
        "9223372036854775807|9223372036854775807|9223372036854775807|mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm|1",
        "1|9223372036854775807|9223372036854775807|mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm|2"})
    @DisplayName("the counts share one line that never reaches the model or the margin, numbers whole, messages first")
    void counts_fitBesideTheModel(long messages, long tokens, long toolCalls, String model, int expectedCounts)
            throws IOException {
        ShareCard c = new ShareCard("Counts", "Claude Code", model, messages, tokens, toolCalls, DAY);
        OgImageRenderer.BottomRow row = RENDERER.bottomRow(c);
        assertThat(row.numbers()).hasSize(expectedCounts);
        assertThat(row.numberX()[0]).isEqualTo(80f);
        assertThat(row.countsRight()).as("right end of the counts")
                .isLessThanOrEqualTo(model == null ? 1120f : row.modelLeft() - 40f);
        assertThat(row.modelLeft()).isGreaterThanOrEqualTo(80f + 1040f * 0.64f - 1f);
        List<String> numbers = new ArrayList<>(List.of(c.messageCountNumber(), Texts.compact(tokens),
                Texts.grouped(toolCalls)));
        if (tokens == 0) {
            numbers.remove(1);
        }
        for (int i = 0; i < row.numbers().size(); i++) {
            assertThat(row.numbers().get(i).getCharacterCount()).as("number %d drawn whole", i)
                    .isEqualTo(numbers.get(i).length());
            if (i > 0) {
                assertThat(row.numberX()[i]).isGreaterThan(row.nounX()[i - 1] + row.nouns().get(i - 1).getAdvance());
            }
        }
        assertThat(row.numberSize()).isBetween(expectedCounts == 1 ? 20f : 34f, 104f);
        assertThat(outsideBand(decode(RENDERER.render(c)))).as("pixels drawn outside the central 1200x600 band")
                .isEmpty();
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @ValueSource(strings = {
        "修复日期测试中的时区问题并补充回归测试",
        "日本語のタイトル：日付テストの修正",
        "한국어 제목: 날짜 테스트 수정",
        "إصلاح اختبار التاريخ غير المستقر في خدمة الفوترة",
        "תיקון בדיקת תאריך לא יציבה",
        "Ça marche : réécrire l'équipe ŽŠČ über straße",
        "😀😃😄😁🦀👨‍👩‍👧🇫🇷🏳️‍🌈 emoji everywhere 🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉🎉",
        "Supercalifragilisticexpialidocious_without_any_break_opportunity_at_all_in_this_very_long_identifier_name_x",
        "mixed English עברית العربية 中文 and more English words to push it onto several lines of the card",
        "🦀🦀🦀",
        "W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W W"})
    @DisplayName("long, emoji, CJK and RTL titles render and keep all text inside the central band and margins")
    void hardTitles_stayWithinBounds(String title) throws IOException {
        String longTitle = title + " " + title + " " + title;
        for (String t : List.of(title, longTitle)) {
            BufferedImage image = decode(RENDERER.render(
                    new ShareCard(t, "gemini-cli", "m".repeat(80), Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, DAY)));
            assertThat(image.getWidth()).isEqualTo(1200);
            assertThat(outsideBand(image)).as("pixels drawn outside the central 1200x600 band").isEmpty();
        }
    }

    @Test
    @DisplayName("CJK, Arabic and Hebrew draw real glyphs: different texts give different images, as boxes would not")
    void scripts_drawRealGlyphsNotBoxes() {
        assertThat(RENDERER.render(card("修复日期测试", 1))).isNotEqualTo(RENDERER.render(card("一二三四五六", 1)));
        assertThat(RENDERER.render(card("日付テスト", 1))).isNotEqualTo(RENDERER.render(card("ひらがなカナ", 1)));
        assertThat(RENDERER.render(card("مرحبا", 1))).isNotEqualTo(RENDERER.render(card("شكرا", 1)));
        assertThat(RENDERER.render(card("שלום", 1))).isNotEqualTo(RENDERER.render(card("תודה", 1)));
    }

    @Test
    @DisplayName("a character no shipped font can draw is left out, not drawn as a box")
    void undrawableCharacters_areLeftOut() {
        assertThat(RENDERER.render(card("Crab \uD83E\uDD80 trace", 1))).isEqualTo(RENDERER.render(card("Crab trace", 1)));
    }

    @Test
    void noModel_andZeroMessages_render() throws IOException {
        BufferedImage image = decode(RENDERER.render(new ShareCard("No model", "Codex", null, 0, DAY)));
        assertThat(outsideBand(image)).isEmpty();
    }

    @Test
    void nullCard_isRejected() {
        assertThatThrownBy(() -> RENDERER.render((ShareCard) null)).hasMessage("card: must not be null");
    }

    /** Non-background pixels above y 15 or below y 615, or in the side margins (x 10..60 and 1140..1200). */
    static List<String> outsideBand(BufferedImage image) {
        List<String> found = new ArrayList<>();
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                boolean band = y >= 15 && y < 615;
                boolean accentBar = band && x < 10;
                boolean textArea = band && x >= 60 && x < 1140;
                if (!accentBar && !textArea && (image.getRGB(x, y) & 0xFFFFFF) != BACKGROUND && found.size() < 5) {
                    found.add(x + "," + y);
                }
            }
        }
        return found;
    }
}
