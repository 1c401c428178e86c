package dev.tracestore.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders in a child JVM whose fontconfig finds no fonts at all ({@code FONTCONFIG_FILE} points
 * at {@code <fontconfig></fontconfig>}) and whose {@code user.home} is fresh, as on a slim
 * container without font packages.
 */
class NoSystemFontsTest {
    @TempDir
    static Path dir;

    @BeforeAll
    static void linuxOnly() {
        assumeTrue(System.getProperty("os.name").toLowerCase(Locale.ROOT).contains("linux"),
                "fontconfig decides the JDK's system fonts on Linux only");
    }

    record Result(int exitCode, String output) {}

    static Result runChild(String... args) throws IOException, InterruptedException {
        return runChild(List.of(), args);
    }

    static Result runChild(List<String> jvmOptions, String... args) throws IOException, InterruptedException {
        Path config = dir.resolve("empty-fonts.conf");
        Files.writeString(config, "<fontconfig></fontconfig>\n");
        Path home = Files.createTempDirectory(dir, "home");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.awt.headless=true",
                "-Duser.home=" + home));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), FreshJvmRender.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().put("FONTCONFIG_FILE", config.toString());
        builder.environment().remove("FONTCONFIG_PATH");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        Process process = builder.start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as("child JVM finished").isTrue();
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("without system fonts, the renderer still writes the same PNG, through its fallback font configuration")
    void render_withoutSystemFonts_writesTheSamePng() throws Exception {
        Path out = dir.resolve("no-fonts.png");
        Result child = runChild("render", out.toString());

        assertThat(child.exitCode()).as("exit code; output:%n%s", child.output()).isZero();
        assertThat(child.output()).contains("fallback=true").contains("Java2D found no system fonts");
        byte[] png = Files.readAllBytes(out);
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertThat(image.getWidth()).isEqualTo(1200);
        assertThat(image.getHeight()).isEqualTo(630);
        assertThat(png).as("same bytes as rendered with system fonts").isEqualTo(OgImageRenderer.create().render(FreshJvmRender.CARD));
    }

    @Test
    @DisplayName("the JDK alone fails there with \"Fontconfig head is null\", even for Font.createFont (why the fallback exists)")
    void plainJdk_withoutSystemFonts_fails() throws Exception {
        Path font = dir.resolve("DejaVuSans.ttf");
        try (var in = ShippedFonts.class.getResourceAsStream("fonts/DejaVuSans.ttf")) {
            Files.copy(in, font, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        Result child = runChild("plain", font.toString());
        assumeTrue(child.exitCode() != 0, "this JDK loads fonts without fontconfig fonts; the fallback is idle here");
        assertThat(child.output()).contains("Fontconfig head is null");
    }

    @Test
    @DisplayName("when the fallback cannot apply (sun.awt.fontconfig already set), rendering fails with one clear error")
    void render_withoutSystemFontsAndAForeignFontconfigProperty_failsClearly() throws Exception {
        Result child = runChild(List.of("-Dsun.awt.fontconfig=" + dir.resolve("missing.properties")),
                "render", dir.resolve("never.png").toString());

        assertThat(child.exitCode()).isNotZero();
        assertThat(child.output())
                .contains("dev.tracestore.web.ImageRenderingException: Java2D cannot initialise its fonts "
                        + "(Fontconfig head is null")
                .contains("so TraceStore did not try its own font configuration")
                .contains("Install a font package");
        assertThat(dir.resolve("never.png")).doesNotExist();
    }
}
