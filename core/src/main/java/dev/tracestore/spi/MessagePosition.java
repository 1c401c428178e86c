package dev.tracestore.spi;

import dev.tracestore.Message;
import java.util.Comparator;

/**
 * A keyset position in a trace's messages, which list in conversation order: {@code sequence}
 * ascending, then {@code externalId} ascending (by UTF-16 code units, as {@link String#compareTo}).
 *
 * @param sequence   the sequence of the last message seen
 * @param externalId the external id of the last message seen
 */
public record MessagePosition(long sequence, String externalId) {

    /** Conversation order. */
    public static final Comparator<Message> ORDER =
            Comparator.comparingLong(Message::sequence).thenComparing(Message::externalId);

    /** The position of {@code message}. */
    public static MessagePosition of(Message message) {
        return new MessagePosition(message.sequence(), message.externalId());
    }
}
