package dev.tracestore.web;

import java.awt.Font;
import java.awt.FontFormatException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fonts shipped in this jar ({@code dev/tracestore/web/fonts/}, licences beside them),
 * loaded once, on first use, and safely published through a volatile field.
 *
 * <p><b>Machines without system fonts.</b> Any use of a {@link Font}, even one made with
 * {@link Font#createFont}, first builds the JDK's font manager, which on Linux asks fontconfig
 * for the system fonts. When fontconfig finds none (a slim container, or
 * {@code FONTCONFIG_FILE} pointing at an empty configuration), the JDK fails with "Fontconfig
 * head is null" ({@code InternalError} on JDK 17, {@code RuntimeException} on later JDKs), and
 * does not remember the failure. The JDK also reads a logical-font configuration file named by
 * the {@code sun.awt.fontconfig} system property instead of asking fontconfig. So when, and only
 * when, the first load fails with that fontconfig error and that property is not already set, this class extracts the
 * shipped DejaVu Sans to a temporary directory, writes a one-font {@code fontconfig.properties}
 * beside it, sets {@code sun.awt.fontconfig} to that file, logs one WARN and loads again. On a
 * machine whose fontconfig works, nothing is set and nothing is written. If the second load
 * fails too, {@link #get()} throws one {@link ImageRenderingException} that says what to do.
 * The property is process-wide and read once per JVM: logical fonts ({@code Dialog},
 * {@code SansSerif}, …) of the whole application then map to DejaVu Sans, which is what any
 * rendering on such a machine needs anyway. It relies on JDK behaviour, not on a public API;
 * the child-JVM test in this module checks it on every build.
 */
final class ShippedFonts {
    private static final Logger log = LoggerFactory.getLogger(ShippedFonts.class);

    static final String FONTCONFIG_PROPERTY = "sun.awt.fontconfig";
    private static final String DIR = "fonts/";
    private static final String REGULAR = "DejaVuSans.ttf";
    private static final String BOLD = "DejaVuSans-Bold.ttf";
    private static final String FALLBACK = "DroidSansFallback.ttf";

    private static final Object LOCK = new Object();
    private static volatile ShippedFonts instance;

    /** DejaVu Sans: Latin, Greek, Cyrillic, Arabic, Hebrew and many symbols. Size 1. */
    final Font regular;
    /** DejaVu Sans Bold. Size 1. */
    final Font bold;
    /** Droid Sans Fallback: Chinese, Japanese, Korean. Size 1. */
    final Font fallback;
    /** Whether loading needed the fallback font configuration. */
    final boolean usedFallbackConfiguration;

    private ShippedFonts(Font regular, Font bold, Font fallback, boolean usedFallbackConfiguration) {
        this.regular = regular;
        this.bold = bold;
        this.fallback = fallback;
        this.usedFallbackConfiguration = usedFallbackConfiguration;
    }

    /**
     * The shipped fonts, loaded on the first call.
     *
     * @throws ImageRenderingException if Java2D cannot initialise its fonts even with the
     *                                  fallback configuration; a later call tries again
     */
    static ShippedFonts get() {
        ShippedFonts fonts = instance;
        if (fonts == null) {
            synchronized (LOCK) {
                fonts = instance;
                if (fonts == null) {
                    fonts = load();
                    instance = fonts;
                }
            }
        }
        return fonts;
    }

    private static ShippedFonts load() {
        byte[] regular = resource(REGULAR);
        byte[] bold = resource(BOLD);
        byte[] fallback = resource(FALLBACK);
        boolean usedFallback = false;
        try {
            startFontManager();
        } catch (RuntimeException | InternalError first) {
            if (!isFontconfigFailure(first)) {
                throw unavailable("while starting the JDK's font manager", first);
            }
            String configured = System.getProperty(FONTCONFIG_PROPERTY);
            if (configured != null) {
                throw unavailable("and the JVM runs with -D" + FONTCONFIG_PROPERTY + "=" + configured
                        + ", so TraceStore did not try its own font configuration", first);
            }
            Path config = writeFallbackConfiguration(regular, first);
            log.warn("Java2D found no system fonts (fontconfig: {}); set {}={} so that the shipped DejaVu Sans "
                    + "serves as the JVM's only system font. Installing a font package (such as fonts-dejavu-core) "
                    + "avoids this.", rootMessage(first), FONTCONFIG_PROPERTY, config);
            System.setProperty(FONTCONFIG_PROPERTY, config.toString());
            try {
                startFontManager();
            } catch (RuntimeException | InternalError second) {
                second.addSuppressed(first);
                throw unavailable("even with the fallback font configuration " + config, second);
            }
            usedFallback = true;
        }
        try {
            return create(regular, bold, fallback, usedFallback);
        } catch (RuntimeException | InternalError e) {
            throw unavailable("while loading the shipped fonts", e);
        }
    }

    /**
     * Makes the JDK build its font manager, which is where a fontconfig without fonts fails.
     * {@link Font#createFont(int, InputStream)} would hide that failure behind "Problem reading
     * font data", so the manager is started through a logical font first.
     */
    private static void startFontManager() {
        new Font(Font.DIALOG, Font.PLAIN, 12).canDisplay('a');
    }

    private static ShippedFonts create(byte[] regular, byte[] bold, byte[] fallback, boolean usedFallback) {
        return new ShippedFonts(font(regular, REGULAR), font(bold, BOLD), font(fallback, FALLBACK), usedFallback);
    }

    private static Font font(byte[] bytes, String name) {
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            return Font.createFont(Font.TRUETYPE_FONT, in);
        } catch (FontFormatException e) {
            throw new IllegalStateException("shipped font " + name + " is not a valid TrueType font", e);
        } catch (IOException e) {
            throw new UncheckedIOException("could not load shipped font " + name, e);
        }
    }

    private static Path writeFallbackConfiguration(byte[] regular, Throwable first) {
        try {
            Path dir = Files.createTempDirectory("tracestore-fonts");
            // Deleted at exit in reverse order of registration: the files, then the directory.
            dir.toFile().deleteOnExit();
            Path font = dir.resolve(REGULAR);
            font.toFile().deleteOnExit();
            Files.write(font, regular);
            Path config = dir.resolve("fontconfig.properties");
            config.toFile().deleteOnExit();
            String properties = "# Written by TraceStore because fontconfig found no system fonts.\n"
                    + "version=1\n"
                    + "sequence.allfonts=latin-1\n"
                    + "allfonts.latin-1=DejaVu Sans\n"
                    + "filename.DejaVu_Sans=" + propertyValue(font.toAbsolutePath().toString()) + "\n";
            Files.writeString(config, properties, StandardCharsets.ISO_8859_1);
            return config;
        } catch (IOException | RuntimeException e) {
            e.addSuppressed(first);
            throw unavailable("and the fallback font configuration could not be written to a temporary directory", e);
        }
    }

    private static ImageRenderingException unavailable(String detail, Throwable cause) {
        return new ImageRenderingException("Java2D cannot initialise its fonts (" + rootMessage(cause) + ") "
                + detail + ". Install a font package (such as fonts-dejavu-core) so that fontconfig finds at "
                + "least one font, or run with -D" + FONTCONFIG_PROPERTY + "=<a fontconfig.properties file>.", cause);
    }

    /** A value escaped for a {@code .properties} file read as ISO-8859-1. */
    private static String propertyValue(String value) {
        StringBuilder sb = new StringBuilder();
        for (char c : value.toCharArray()) {
            if (c == '\\') {
                sb.append("\\\\");
            } else if (c < 0x20 || c > 0x7e) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Whether {@code t} is the JDK's "Fontconfig head is null" (or another fontconfig) failure. */
    private static boolean isFontconfigFailure(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c.getMessage() != null && c.getMessage().toLowerCase(java.util.Locale.ROOT).contains("fontconfig")) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }

    private static byte[] resource(String name) {
        try (InputStream in = ShippedFonts.class.getResourceAsStream(DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("shipped font " + DIR + name + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("could not read shipped font " + name, e);
        }
    }
}
