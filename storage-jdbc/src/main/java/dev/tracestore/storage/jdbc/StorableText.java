package dev.tracestore.storage.jdbc;

import dev.tracestore.Message;
import dev.tracestore.TraceInput;
import java.util.List;

/**
 * Refuses text a database cannot hold before anything is written: U+0000, which PostgreSQL's
 * text types cannot store ({@link Dialect#storesNulCharacter()}), naming the field.
 */
final class StorableText {
    private StorableText() {}

    /** The trace's attributes. */
    static void requireStorable(Dialect dialect, TraceInput in) {
        if (dialect.storesNulCharacter()) {
            return;
        }
        require(dialect, "title", in.title());
        require(dialect, "agentId", in.agentId());
        require(dialect, "model", in.model());
        require(dialect, "projectName", in.projectName());
    }

    /** Every message's text, model and parts. */
    static void requireStorable(Dialect dialect, List<Message> batch) {
        if (dialect.storesNulCharacter()) {
            return;
        }
        for (Message m : batch) {
            // Field names are built only for a message that fails: this loop is on the hot path.
            if (hasNul(m.text()) || hasNul(m.model()) || hasNul(m.partsJson())) {
                String field = "message \"" + m.externalId() + '"';
                require(dialect, field + " text", m.text());
                require(dialect, field + " model", m.model());
                require(dialect, field + " partsJson", m.partsJson());
            }
        }
    }

    static boolean hasNul(String value) {
        return value != null && value.indexOf('\u0000') >= 0;
    }

    private static void require(Dialect dialect, String field, String value) {
        int at = value == null ? -1 : value.indexOf('\u0000');
        if (at >= 0) {
            throw new IllegalArgumentException(field + ": must not contain the character U+0000, which "
                    + dialect + " cannot store in text; found at index " + at);
        }
    }
}
