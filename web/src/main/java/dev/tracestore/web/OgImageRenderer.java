package dev.tracestore.web;

import dev.tracestore.TraceDetail;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.font.FontRenderContext;
import java.awt.font.LineBreakMeasurer;
import java.awt.font.TextAttribute;
import java.awt.font.TextLayout;
import java.awt.geom.Line2D;
import java.awt.geom.RoundRectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.text.AttributedString;
import java.text.Bidi;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Draws a trace's Open Graph image: a {@value #WIDTH}×{@value #HEIGHT} opaque PNG showing the
 * title (at most three lines, the last cut with "…"), the agent, the model, the message count,
 * the token total and tool call count when above 0, and the date. All text stays inside the central {@value #WIDTH}×600 band, so a 2:1 crop loses
 * nothing. The size is fixed; a render holds one 3 MB raster and takes tens of milliseconds.
 *
 * <p><b>Fonts.</b> Only fonts shipped in this jar are used (DejaVu Sans and Droid Sans
 * Fallback, licences in {@code dev/tracestore/web/fonts/}), never system fonts, so the same
 * card gives byte-identical PNGs on the same JDK on any machine. Latin, Greek, Cyrillic, Arabic,
 * Hebrew and CJK titles render with real glyphs; a character that none of the shipped fonts
 * can draw (most colour emoji, rare scripts) is left out rather than drawn as a box. Rendering
 * works headless ({@code java.awt.headless=true}) and on machines where fontconfig finds no
 * fonts at all: see {@link ImageRenderingException} for the one error left when even the
 * fallback fails, and the module's documentation for the {@code sun.awt.fontconfig} fallback
 * that may be set once per JVM.
 *
 * <p>Immutable and thread-safe: one instance can serve concurrent requests.
 */
public final class OgImageRenderer {
    /** The image width in pixels. */
    public static final int WIDTH = 1200;
    /** The image height in pixels. */
    public static final int HEIGHT = 630;
    /** The image's media type. */
    public static final String CONTENT_TYPE = "image/png";
    /** The template's version; part of every {@link ShareCard#version()}, raised whenever the drawing changes. */
    public static final int TEMPLATE_VERSION = 2;

    private static final int MARGIN_X = 80;
    private static final int TEXT_WIDTH = WIDTH - 2 * MARGIN_X;

    private static final float TITLE_TOP = 132;
    private static final float TITLE_BOTTOM = 424;
    private static final float DIVIDER_Y = 448;
    private static final float COUNTS_BASELINE = 560;

    private static final float NUMBER_SIZE = 104f;
    private static final float MIN_NUMBER_SIZE = 20f;
    private static final float MIN_SHARED_NUMBER_SIZE = 34f;
    private static final float NOUN_SIZE = 38f;
    private static final float MIN_NOUN_SIZE = 26f;
    private static final float NOUN_GAP = 18;
    private static final float MIN_NOUN_GAP = 10;
    private static final float FIGURE_GAP = 44;
    private static final float MODEL_GAP = 40;

    private static final Color BACKGROUND = new Color(0x0E1117);
    private static final Color PANEL_LINE = new Color(0x262C3A);
    private static final Color TEXT = new Color(0xF4F6FB);
    private static final Color MUTED = new Color(0x9AA3B5);

    private static final OgImageRenderer INSTANCE = new OgImageRenderer();

    private OgImageRenderer() {}

    /** The renderer. Fonts load on the first {@link #render}, not here. */
    public static OgImageRenderer create() {
        return INSTANCE;
    }

    /**
     * The PNG of a public or unlisted trace's card; same as {@code render(ShareCard.of(trace))}.
     *
     * @throws PrivateTraceException   if the trace is private
     * @throws ImageRenderingException if Java2D cannot initialise its fonts
     */
    public byte[] render(TraceDetail trace) {
        return render(ShareCard.of(trace));
    }

    /**
     * The PNG of {@code card}: {@value #WIDTH}×{@value #HEIGHT}, opaque, typically 30 to 60 KB.
     *
     * @throws IllegalArgumentException if {@code card} is null
     * @throws ImageRenderingException  if Java2D cannot initialise its fonts, or PNG encoding fails
     */
    public byte[] render(ShareCard card) {
        BufferedImage image = draw(card);
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        Iterator<ImageWriter> writers = ImageIO.getImageWritersByFormatName("png");
        if (!writers.hasNext()) {
            throw new ImageRenderingException("this JDK has no PNG writer", null);
        }
        ImageWriter writer = writers.next();
        // An in-memory stream: ImageIO.write would go through a temporary file (its disk cache)
        // on every render, and fail where the temp directory is missing or read-only.
        try (ImageOutputStream stream = new MemoryCacheImageOutputStream(out)) {
            writer.setOutput(stream);
            writer.write(image);
        } catch (IOException e) {
            throw new ImageRenderingException("encoding the PNG failed", e);
        } finally {
            writer.dispose();
        }
        return out.toByteArray();
    }

    /** The card drawn on a new opaque RGB image. */
    BufferedImage draw(ShareCard card) {
        Arguments.notNull("card", card);
        ShippedFonts fonts = ShippedFonts.get();
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = graphics(image);
        try {
            new Painter(g, fonts, card).paint();
        } finally {
            g.dispose();
        }
        return image;
    }

    /** Where {@link #draw} puts the bottom row of {@code card}: the same layout, measured without drawing. */
    BottomRow bottomRow(ShareCard card) {
        Arguments.notNull("card", card);
        Graphics2D g = graphics(new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB));
        try {
            return new Painter(g, ShippedFonts.get(), card).bottomRow();
        } finally {
            g.dispose();
        }
    }

    private static Graphics2D graphics(BufferedImage image) {
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_FRACTIONALMETRICS, RenderingHints.VALUE_FRACTIONALMETRICS_ON);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        return g;
    }

    /**
     * The bottom row as laid out: the counts from the left margin, each a number and its noun
     * ({@code numbers.get(i)} at {@code numberX[i]}, its noun at {@code nounX[i]}), and the
     * model with its label right-aligned at the right margin from {@code modelLeft} (the right
     * margin itself when there is no model).
     */
    record BottomRow(List<TextLayout> numbers, float[] numberX, List<TextLayout> nouns, float[] nounX,
            float countsRight, float numberSize, TextLayout modelLabel, TextLayout model, float modelLeft) {
    }

    /** One drawing, on one thread. */
    private static final class Painter {
        private final Graphics2D g;
        private final ShippedFonts fonts;
        private final ShareCard card;
        private final FontRenderContext frc;
        private final Color accent;

        Painter(Graphics2D g, ShippedFonts fonts, ShareCard card) {
            this.g = g;
            this.fonts = fonts;
            this.card = card;
            this.frc = g.getFontRenderContext();
            this.accent = accentFor(card.agentName());
        }

        void paint() {
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setColor(accent);
            g.fillRect(0, 15, 10, HEIGHT - 30);

            // Top row: agent pill on the left, date on the right.
            float pillText = 26f;
            TextLayout agent = line(card.agentName(), fonts.bold, pillText, 560);
            float pillX = MARGIN_X;
            float pillY = 58;
            float pillH = 50;
            float dot = 14;
            float pillW = 22 + dot + 14 + agent.getAdvance() + 24;
            g.setColor(new Color(accent.getRed(), accent.getGreen(), accent.getBlue(), 40));
            g.fill(new RoundRectangle2D.Float(pillX, pillY, pillW, pillH, pillH, pillH));
            g.setColor(accent);
            g.fill(new java.awt.geom.Ellipse2D.Float(pillX + 22, pillY + (pillH - dot) / 2, dot, dot));
            g.setColor(TEXT);
            agent.draw(g, pillX + 22 + dot + 14, pillY + pillH / 2 + centreOffset(agent));

            TextLayout date = line(card.dateText(), fonts.regular, 26f, 400);
            g.setColor(MUTED);
            date.draw(g, WIDTH - MARGIN_X - date.getAdvance(), pillY + pillH / 2 + centreOffset(date));

            // Title: two lines at 68 px if it fits, else three at 56 px, the last cut with "…".
            List<TextLayout> title = wrap(card.title(), 68f, 2);
            if (title == null) {
                title = wrap(card.title(), 56f, 3);
            }
            boolean rtl = !new Bidi(card.title(), Bidi.DIRECTION_DEFAULT_LEFT_TO_RIGHT).baseIsLeftToRight();
            float lineHeight = title.get(0).getAscent() + title.get(0).getDescent() + 10;
            float blockHeight = lineHeight * title.size() - 10;
            // Centred between the top row (ends at 108) and the divider (at 448).
            float y = TITLE_TOP + (TITLE_BOTTOM - TITLE_TOP - blockHeight) / 2 + title.get(0).getAscent();
            g.setColor(TEXT);
            for (TextLayout layout : title) {
                float x = rtl ? WIDTH - MARGIN_X - layout.getAdvance() : MARGIN_X;
                layout.draw(g, x, y);
                y += lineHeight;
            }

            // Divider, then the count (the largest text on the card) and the model.
            g.setColor(PANEL_LINE);
            g.setStroke(new BasicStroke(2f));
            g.draw(new Line2D.Float(MARGIN_X, DIVIDER_Y, WIDTH - MARGIN_X, DIVIDER_Y));

            BottomRow row = bottomRow();
            if (row.model() != null) {
                g.setColor(MUTED);
                row.modelLabel().draw(g, WIDTH - MARGIN_X - row.modelLabel().getAdvance(), COUNTS_BASELINE - 50);
                g.setColor(TEXT);
                row.model().draw(g, WIDTH - MARGIN_X - row.model().getAdvance(), COUNTS_BASELINE);
            }
            for (int i = 0; i < row.numbers().size(); i++) {
                g.setColor(accent);
                row.numbers().get(i).draw(g, row.numberX()[i], COUNTS_BASELINE);
                g.setColor(MUTED);
                row.nouns().get(i).draw(g, row.nounX()[i], COUNTS_BASELINE);
            }
        }

        /**
         * The model at the right, then the counts on one line in one style: the number bold in
         * the accent colour, its noun muted. Numbers are never cut: the counts shrink together
         * to fit the room the model leaves, nouns at half the numbers' size between
         * {@value #MIN_NOUN_SIZE} and {@value #NOUN_SIZE} px. Several counts shrink no further
         * than numbers of {@value #MIN_SHARED_NUMBER_SIZE} px, so a number never looks smaller
         * than its noun: below that the last count is left out (the tool calls, then the
         * tokens). The message count alone shrinks to {@value #MIN_NUMBER_SIZE} px.
         */
        BottomRow bottomRow() {
            TextLayout label = null;
            TextLayout model = null;
            float modelLeft = WIDTH - MARGIN_X;
            if (card.model() != null) {
                float modelRoom = TEXT_WIDTH * 0.36f;
                label = line("MODEL", fonts.bold, 18f, modelRoom);
                model = line(card.model(), fonts.regular, 32f, modelRoom);
                modelLeft -= Math.max(model.getAdvance(), label.getAdvance());
            }
            float room = (model == null ? modelLeft : modelLeft - MODEL_GAP) - MARGIN_X;

            List<String[]> counts = new ArrayList<>(3);
            counts.add(new String[] {card.messageCountNumber(), card.messageCount() == 1 ? "message" : "messages"});
            if (card.totalTokens() > 0) {
                counts.add(new String[] {Texts.compact(card.totalTokens()), card.totalTokens() == 1 ? "token" : "tokens"});
            }
            if (card.toolCallCount() > 0) {
                counts.add(new String[] {Texts.grouped(card.toolCallCount()),
                    card.toolCallCount() == 1 ? "tool call" : "tool calls"});
            }
            BottomRow row = null;
            for (int shown = counts.size(); shown >= 1; shown--) {
                float min = shown == 1 ? MIN_NUMBER_SIZE : MIN_SHARED_NUMBER_SIZE;
                float size = NUMBER_SIZE;
                while (true) {
                    row = countsAt(counts.subList(0, shown), size, label, model, modelLeft);
                    float width = row.countsRight() - MARGIN_X;
                    if (width <= room || size <= min) {
                        break;
                    }
                    size = Math.max(min, Math.min(size - 1, (float) Math.floor(size * room / width)));
                }
                if (row.countsRight() - MARGIN_X <= room) {
                    return row;
                }
            }
            return row; // the message count alone at the smallest size: wider than the room only in theory
        }

        private BottomRow countsAt(List<String[]> counts, float numberSize, TextLayout label, TextLayout model,
                float modelLeft) {
            float nounSize = Math.max(MIN_NOUN_SIZE, Math.min(NOUN_SIZE, numberSize / 2));
            List<TextLayout> numbers = new ArrayList<>(counts.size());
            List<TextLayout> nouns = new ArrayList<>(counts.size());
            float[] numberX = new float[counts.size()];
            float[] nounX = new float[counts.size()];
            float x = MARGIN_X;
            for (int i = 0; i < counts.size(); i++) {
                if (i > 0) {
                    x += FIGURE_GAP;
                }
                TextLayout number = line(counts.get(i)[0], fonts.bold, numberSize, Float.MAX_VALUE);
                TextLayout noun = line(counts.get(i)[1], fonts.regular, nounSize, Float.MAX_VALUE);
                numberX[i] = x;
                x += number.getAdvance() + Math.max(MIN_NOUN_GAP, NOUN_GAP * numberSize / NUMBER_SIZE);
                nounX[i] = x;
                x += noun.getAdvance();
                numbers.add(number);
                nouns.add(noun);
            }
            return new BottomRow(numbers, numberX, nouns, nounX, x, numberSize, label, model, modelLeft);
        }

        private static float centreOffset(TextLayout layout) {
            return (layout.getAscent() - layout.getDescent()) / 2;
        }

        /** One line of text at {@code size}, cut with "…" to fit {@code maxWidth}. */
        private TextLayout line(String text, Font primary, float size, float maxWidth) {
            String drawable = drawable(text, primary);
            TextLayout layout = layout(drawable, primary, size);
            if (layout.getAdvance() <= maxWidth) {
                return layout;
            }
            return ellipsized(drawable, primary, size, maxWidth);
        }

        /**
         * The text wrapped to at most {@code maxLines} lines at {@code size}; null when it needs
         * more lines and {@code maxLines} is below three; at three the last line is cut with "…".
         */
        private List<TextLayout> wrap(String text, float size, int maxLines) {
            String drawable = drawable(text, fonts.bold);
            if (drawable.isEmpty()) {
                drawable = ShareCard.UNTITLED;
            }
            AttributedString attributed = attributed(drawable, fonts.bold, size);
            LineBreakMeasurer measurer = new LineBreakMeasurer(attributed.getIterator(), frc);
            List<TextLayout> lines = new ArrayList<>();
            while (measurer.getPosition() < drawable.length()) {
                if (lines.size() == maxLines - 1) {
                    int start = measurer.getPosition();
                    TextLayout last = measurer.nextLayout(TEXT_WIDTH);
                    if (measurer.getPosition() < drawable.length()) {
                        if (maxLines < 3) {
                            return null;
                        }
                        last = ellipsized(drawable.substring(start).strip(), fonts.bold, size, TEXT_WIDTH);
                    }
                    lines.add(last);
                    break;
                }
                lines.add(measurer.nextLayout(TEXT_WIDTH));
            }
            return lines;
        }

        /** The longest grapheme-whole prefix of {@code text} that fits {@code maxWidth} with "…" after it. */
        private TextLayout ellipsized(String text, Font primary, float size, float maxWidth) {
            int[] ends = Texts.graphemeEnds(text);
            int lo = 0;
            int hi = ends.length - 1;
            TextLayout best = layout(Texts.ELLIPSIS, primary, size);
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                TextLayout candidate = layout(text.substring(0, ends[mid]).stripTrailing() + Texts.ELLIPSIS, primary, size);
                if (candidate.getAdvance() <= maxWidth) {
                    best = candidate;
                    lo = mid + 1;
                } else {
                    hi = mid - 1;
                }
            }
            return best;
        }

        private TextLayout layout(String text, Font primary, float size) {
            return new TextLayout(attributed(text.isEmpty() ? " " : text, primary, size).getIterator(), frc);
        }

        /** The text with each run in the first shipped font that can draw it. */
        private AttributedString attributed(String text, Font primary, float size) {
            Font main = primary.deriveFont(size);
            Font cjk = fonts.fallback.deriveFont(size);
            AttributedString attributed = new AttributedString(text);
            int runStart = 0;
            Font runFont = null;
            for (int i = 0; i < text.length(); ) {
                int cp = text.codePointAt(i);
                Font f = primary.canDisplay(cp) || !fonts.fallback.canDisplay(cp) ? main : cjk;
                if (runFont != null && f != runFont) {
                    attributed.addAttribute(TextAttribute.FONT, runFont, runStart, i);
                    runStart = i;
                }
                runFont = f;
                i += Character.charCount(cp);
            }
            if (runFont != null) {
                attributed.addAttribute(TextAttribute.FONT, runFont, runStart, text.length());
            }
            return attributed;
        }

        /** The text without the code points that no shipped font can draw, spaces tidied. */
        private String drawable(String text, Font primary) {
            StringBuilder sb = new StringBuilder(text.length());
            text.codePoints().forEach(cp -> {
                if (primary.canDisplay(cp) || fonts.fallback.canDisplay(cp)) {
                    sb.appendCodePoint(cp);
                }
            });
            return sb.toString().replaceAll(" {2,}", " ").strip();
        }

        /** A colour for the agent: the brand-like colours of the known agents, a stable pick for others. */
        private static Color accentFor(String agentName) {
            switch (agentName) {
                case "Claude Code":
                    return new Color(0xE08A6B);
                case "Codex":
                    return new Color(0x3DD6A3);
                case "Cursor":
                    return new Color(0x8FB8FF);
                default:
                    int[] palette = {0xF5C451, 0x7DD3FC, 0xC4A1FF, 0xF58FB8, 0x9BE27A};
                    return new Color(palette[Math.floorMod(agentName.hashCode(), palette.length)]);
            }
        }
    }
}
