package dev.tracestore.spi;

import dev.tracestore.Message;
import java.util.Comparator;

/**
 * A keyset position in a trace's messages, which list in conversation order: {@code sequence}
 * ascending, then {@code externalId} ascending by Unicode code point, which is the binary order
 * of UTF-8 text in PostgreSQL ({@code "C"} collation), MySQL/MariaDB (binary collations) and
 * SQLite, and {@link #ORDER}. H2 compares UTF-16 code units ({@link String#compareTo}); the two
 * orders differ only between an id with a character above U+FFFF and one with a character in
 * U+E000–U+FFFF at the same place. A storage's listing and its cursor always use the same order,
 * so pages never skip or repeat a message.
 *
 * @param sequence   the sequence of the last message seen
 * @param externalId the external id of the last message seen
 */
public record MessagePosition(long sequence, String externalId) {

    /** Conversation order: sequence, then external id by code point. */
    public static final Comparator<Message> ORDER =
            Comparator.comparingLong(Message::sequence).thenComparing(Message::externalId, MessagePosition::byCodePoint);

    /** The position of {@code message}. */
    public static MessagePosition of(Message message) {
        return new MessagePosition(message.sequence(), message.externalId());
    }

    /** Compares two strings by Unicode code point (the binary order of their UTF-8 encodings). */
    static int byCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
