package dev.tracestore;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.tracestore.internal.Checks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * A batch as the storage is given it: every message checked against the store's limits, its
 * instant truncated to microseconds (or the store's now), and messages sharing an external id
 * collapsed to the last of them, sorted by id. The policy's counting (what the trace's count
 * grows by) is the size of what this returns.
 */
final class Batches {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Comparator<Message> BY_EXTERNAL_ID = Comparator.comparing(Message::externalId);

    private final int maxIdLength;
    private final int maxTextLength;

    Batches(int maxIdLength, int maxTextLength) {
        this.maxIdLength = maxIdLength;
        this.maxTextLength = maxTextLength;
    }

    /**
     * The distinct messages of {@code messages}, checked.
     *
     * @throws InvalidMessageException naming the first message that breaks a limit
     */
    List<Message> prepare(List<MessageInput> messages, Instant now) {
        List<Message> sorted = new ArrayList<>(messages.size());
        for (int i = 0; i < messages.size(); i++) {
            try {
                sorted.add(validated(i, messages.get(i), now));
            } catch (IllegalArgumentException e) {
                throw new InvalidMessageException(i, e);
            }
        }
        // A stable sort keeps equal ids in input order, so the last of each run is the one to keep.
        sorted.sort(BY_EXTERNAL_ID);
        int distinct = 0;
        for (int i = 0; i < sorted.size(); i++) {
            if (i + 1 < sorted.size() && sorted.get(i + 1).externalId().equals(sorted.get(i).externalId())) {
                continue;
            }
            sorted.set(distinct++, sorted.get(i));
        }
        sorted.subList(distinct, sorted.size()).clear();
        return sorted;
    }

    private Message validated(int index, MessageInput m, Instant now) {
        if (m == null) {
            throw new IllegalArgumentException("messages[" + index + "]: must not be null");
        }
        // MessageInput's constructor already refused a null, blank or control-character id, a
        // null role and a null text. The hot path only compares lengths; the field names of an
        // error message are built when there is one.
        if (m.externalId().length() > maxIdLength || (m.model() != null && m.model().length() > maxIdLength)
                || m.text().length() > maxTextLength
                || (m.partsJson() != null && m.partsJson().length() > maxTextLength)) {
            String field = "messages[" + index + "]";
            Checks.maxLength(field + ".externalId", m.externalId(), maxIdLength);
            Checks.maxLength(field + ".model", m.model(), maxIdLength);
            Checks.maxLength(field + ".text", m.text(), maxTextLength);
            Checks.maxLength(field + ".partsJson", m.partsJson(), maxTextLength);
        }
        // One pass over each text: an unpaired surrogate cannot be stored as UTF-8 (see Checks.wellFormed).
        if (Checks.unpairedSurrogate(m.text()) >= 0 || (m.model() != null && Checks.unpairedSurrogate(m.model()) >= 0)
                || (m.partsJson() != null && Checks.unpairedSurrogate(m.partsJson()) >= 0)) {
            String field = "messages[" + index + "]";
            Checks.wellFormed(field + ".text", m.text());
            Checks.wellFormed(field + ".model", m.model());
            Checks.wellFormed(field + ".partsJson", m.partsJson());
        }
        if (m.partsJson() != null) {
            requireJsonArray(index, m.partsJson());
        }
        Instant createdAt = m.createdAt() == null ? now : m.createdAt().truncatedTo(ChronoUnit.MICROS);
        return new Message(m.externalId(), m.sequence(), m.role(), m.text(), m.model(), createdAt, m.partsJson(),
                m.usage(), m.toolCalls());
    }

    /** Checks that {@code json} is exactly one well-formed JSON array, streaming, without building a tree. */
    private static void requireJsonArray(int index, String json) {
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw new IllegalArgumentException("messages[" + index + "].partsJson: must be a JSON array; got "
                        + (p.currentToken() == null ? "nothing" : "a JSON " + p.currentToken().name().toLowerCase(java.util.Locale.ROOT)));
            }
            p.skipChildren();
            if (p.nextToken() != null) {
                throw new IllegalArgumentException(
                        "messages[" + index + "].partsJson: must be a single JSON array with nothing after it; got more at "
                        + "character " + p.currentLocation().getCharOffset());
            }
        } catch (JsonProcessingException e) {
            // Neither the parser's message nor the JSON: both may quote the message's content.
            throw new IllegalArgumentException("messages[" + index + "].partsJson: must be well-formed JSON; it is not"
                    + (e.getLocation() == null ? "" : ", at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // reading a String cannot fail
        }
    }
}
