package dev.tracestore.sync.formats;

import java.time.Instant;
import java.time.format.DateTimeParseException;

final class Timestamps {
    private Timestamps() {}

    /** An ISO-8601 instant, or null when absent or unreadable (the message then gets the store's clock). */
    static Instant parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
