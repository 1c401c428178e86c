package dev.tracestore;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import dev.tracestore.internal.Checks;
import java.util.Locale;

/** Who wrote a message. Serialised to JSON in lower case ({@code "assistant"}). */
public enum Role {
    /** The person driving the agent: prompts, commands. */
    USER,
    /** The model: replies, thinking, tool calls. */
    ASSISTANT,
    /** The agent's client or platform: instructions, notices. */
    SYSTEM,
    /** A tool's output returned to the model. */
    TOOL;

    /** The stable wire name, such as {@code user}. */
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
    public static Role fromWireName(String name) {
        for (Role r : values()) {
            if (r.wireName().equalsIgnoreCase(name)) {
                return r;
            }
        }
        throw new IllegalArgumentException(
                "role: must be one of user, assistant, system, tool; got " + Checks.quote(name));
    }
}
