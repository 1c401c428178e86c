package dev.tracestore.web;

import java.awt.Font;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;

/**
 * Run in a child JVM by {@link NoSystemFontsTest}. {@code render OUT}: renders {@link #CARD} to
 * OUT and prints whether the fallback font configuration was needed. {@code plain FONT}: loads
 * a font with {@link Font#createFont} and nothing else, to show what the JDK does on its own.
 */
public final class FreshJvmRender {
    static final ShareCard CARD = new ShareCard("Fix flaky date test — 修复日期 — مرحبا", "Claude Code",
            "claude-opus-4-5", 1284, LocalDate.of(2025, 11, 29));

    private FreshJvmRender() {}

    public static void main(String[] args) throws Exception {
        if ("plain".equals(args[0])) {
            Font font = Font.createFont(Font.TRUETYPE_FONT, Path.of(args[1]).toFile());
            System.out.println("plain load worked: " + font.getFontName());
            return;
        }
        byte[] png = OgImageRenderer.create().render(CARD);
        Files.write(Path.of(args[1]), png);
        System.out.println("fallback=" + ShippedFonts.get().usedFallbackConfiguration);
        System.out.println("sun.awt.fontconfig=" + System.getProperty(ShippedFonts.FONTCONFIG_PROPERTY));
    }
}
