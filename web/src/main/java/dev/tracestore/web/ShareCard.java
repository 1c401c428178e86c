package dev.tracestore.web;

import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.Visibility;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * Exactly what a trace's Open Graph image shows, and so what its {@link #version()} is derived
 * from: a card changes, and the image URL with it, only when something drawn changes.
 *
 * <p>Build one from a trace with {@link #of(TraceDetail)}; the canonical constructor is for
 * previews and tests. Values are cleaned to one line and capped: the title to
 * {@value #MAX_TITLE_LENGTH} characters, the model to {@value #MAX_MODEL_LENGTH}.
 *
 * @param title        the trace title, never blank ("Untitled trace" when the trace has none)
 * @param agentName    the agent's display name, such as "Claude Code"
 * @param model        the main model, such as {@code claude-opus-4-5}, or null when unknown
 * @param messageCount  the trace's cached message count, not negative
 * @param totalTokens   every token the trace's models used ({@link TokenUsage#total()}), not
 *                      negative; 0 when no message reported usage, and then not shown
 * @param toolCallCount the tools the trace's messages called, not negative; not shown when 0
 * @param date          the day the session started, in UTC
 */
public record ShareCard(String title, String agentName, String model, long messageCount, long totalTokens,
        long toolCallCount, LocalDate date) {

    /** The longest title a card keeps, in UTF-16 characters; longer titles end in "…". */
    public static final int MAX_TITLE_LENGTH = 300;
    /** The longest model name a card keeps, in UTF-16 characters; longer names end in "…". */
    public static final int MAX_MODEL_LENGTH = 60;
    /** The longest agent name a card keeps, in UTF-16 characters. */
    public static final int MAX_AGENT_LENGTH = 40;

    /** The title of a trace that has none. */
    static final String UNTITLED = "Untitled trace";

    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("MMM d, uuuu", Locale.ENGLISH);

    /**
     * Cleans and checks the values.
     *
     * @throws IllegalArgumentException if the title or agent name is null or blank, the date
     *                                  is null or a count negative
     */
    public ShareCard {
        title = Texts.truncate(Arguments.notNull("title", Texts.oneLine(title)), MAX_TITLE_LENGTH);
        if (title.isEmpty()) {
            throw new IllegalArgumentException("title: must not be blank");
        }
        agentName = Texts.truncate(Arguments.notNull("agentName", Texts.oneLine(agentName)), MAX_AGENT_LENGTH);
        if (agentName.isEmpty()) {
            throw new IllegalArgumentException("agentName: must not be blank");
        }
        model = Texts.oneLineOrNull(model);
        if (model != null) {
            model = Texts.truncate(model, MAX_MODEL_LENGTH);
        }
        if (messageCount < 0) {
            throw new IllegalArgumentException("messageCount: must not be negative; got " + messageCount);
        }
        if (totalTokens < 0) {
            throw new IllegalArgumentException("totalTokens: must not be negative; got " + totalTokens);
        }
        if (toolCallCount < 0) {
            throw new IllegalArgumentException("toolCallCount: must not be negative; got " + toolCallCount);
        }
        Arguments.notNull("date", date);
    }

    /**
     * A card that shows neither tokens nor tool calls, as cards did before traces had totals.
     *
     * @throws IllegalArgumentException as the canonical constructor does
     */
    public ShareCard(String title, String agentName, String model, long messageCount, LocalDate date) {
        this(title, agentName, model, messageCount, 0, 0, date);
    }

    /**
     * The card of a shareable trace: its title, agent display name, model, cached message count,
     * token total and tool call count, and the UTC day it was created. A trace without
     * {@link TraceDetail#tokens()} (null, as JSON written before traces had totals reads) counts
     * as {@link TokenUsage#NONE}.
     *
     * @throws PrivateTraceException    if the trace is private or its visibility unknown
     * @throws IllegalArgumentException if {@code trace} or its created instant is null
     */
    public static ShareCard of(TraceDetail trace) {
        requireShareable(trace);
        Arguments.notNull("trace.createdAt", trace.createdAt());
        String title = Texts.oneLineOrNull(trace.title());
        return new ShareCard(title == null ? UNTITLED : title, Texts.agentName(trace.agentId()), trace.model(),
                trace.messageCount(), total(trace.tokens()), trace.toolCallCount(),
                LocalDate.ofInstant(trace.createdAt(), ZoneOffset.UTC));
    }

    /** The usage's total, saturating: four huge counts must not wrap into a negative total. */
    private static long total(TokenUsage tokens) {
        if (tokens == null) {
            return 0;
        }
        long total = 0;
        for (long n : new long[] {tokens.inputTokens(), tokens.outputTokens(), tokens.cacheReadTokens(),
                tokens.cacheWriteTokens()}) {
            total = n > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + n;
        }
        return total;
    }

    static void requireShareable(TraceDetail trace) {
        Arguments.notNull("trace", trace);
        if (trace.visibility() != Visibility.PUBLIC && trace.visibility() != Visibility.UNLISTED) {
            throw new PrivateTraceException(trace.id());
        }
    }

    /** The count with its noun, grouped whatever the default locale: "1 message", "1,284 messages". */
    public String messageCountText() {
        return Texts.messages(messageCount);
    }

    /** The count alone, grouped whatever the default locale: "1,284". */
    public String messageCountNumber() {
        return Texts.grouped(messageCount);
    }

    /**
     * The token total with its noun, in short form whatever the default locale: "950 tokens",
     * "1 token", "1.2K tokens", "2.1M tokens", "3.4B tokens" (one decimal, rounded half up,
     * ".0" dropped: "2M tokens").
     */
    public String totalTokensText() {
        return Texts.tokens(totalTokens);
    }

    /** The tool call count with its noun, grouped whatever the default locale: "1 tool call", "87 tool calls". */
    public String toolCallCountText() {
        return Texts.toolCalls(toolCallCount);
    }

    /**
     * The counts the card shows, in order: the messages always; the tokens when the total is
     * above 0; the tool calls when there are any. "1,284 messages", "2.1M tokens", "87 tool calls".
     */
    List<String> countTexts() {
        List<String> texts = new ArrayList<>(3);
        texts.add(messageCountText());
        if (totalTokens > 0) {
            texts.add(totalTokensText());
        }
        if (toolCallCount > 0) {
            texts.add(toolCallCountText());
        }
        return texts;
    }

    /** The date as the card shows it, in English: "Nov 29, 2025". */
    public String dateText() {
        return DATE.format(date);
    }

    /**
     * A text alternative of the image, for {@code og:image:alt} and {@code twitter:image:alt}:
     * "Preview card: Fix flaky date test. Claude Code trace, claude-opus-4-5, 1,284 messages,
     * 2.1M tokens, 87 tool calls, Nov 29, 2025." Tokens and tool calls appear only when above 0.
     */
    public String altText() {
        return "Preview card: " + Texts.truncate(title, 120) + ". " + agentName + " trace, "
                + (model == null ? "" : model + ", ") + String.join(", ", countTexts()) + ", " + dateText() + ".";
    }

    /**
     * The version of the image drawn from this card: 16 lower-case hex digits of a SHA-256 over
     * every field as drawn and {@link OgImageRenderer#TEMPLATE_VERSION}. Equal cards have equal
     * versions; a changed title, agent, model, message or tool call count, shown token total
     * or date (or a new template) gives a new one. The tokens count as drawn, so a total moving
     * within the figure shown (2,100,000 and 2,100,001 are both "2.1M") keeps the version.
     */
    public String version() {
        StringBuilder sb = new StringBuilder("tracestore-og/").append(OgImageRenderer.TEMPLATE_VERSION);
        for (String field : new String[] {title, agentName, model == null ? "" : model,
                Long.toString(messageCount), Texts.compact(totalTokens), Long.toString(toolCallCount),
                date.toString()}) {
            sb.append('\u0000').append(field);
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
