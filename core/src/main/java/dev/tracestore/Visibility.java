package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tracestore.internal.Checks;
import java.util.Locale;

/** Who may see a trace. Serialised to JSON in lower case ({@code "public"}). */
public enum Visibility {
    /** Listed and shareable; pages may be indexed. */
    PUBLIC,
    /** Reachable by link only; pages carry {@code noindex}. */
    UNLISTED,
    /** Visible to its namespace only; never leaks its title, text or count. The default. */
    PRIVATE;

    /** The stable wire name: {@code public}, {@code unlisted} or {@code private}. */
    @JsonValue
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses a wire name, case-insensitively.
     *
     * @throws IllegalArgumentException naming the accepted values when {@code name} is not one
     */
    @JsonCreator
    public static Visibility fromWireName(String name) {
        for (Visibility v : values()) {
            if (v.wireName().equalsIgnoreCase(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "visibility: must be one of public, unlisted, private; got " + Checks.quote(name));
    }
}
