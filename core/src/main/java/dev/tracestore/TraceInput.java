package dev.tracestore;

import dev.tracestore.internal.Checks;
import java.time.Instant;

/**
 * What {@link TraceStore#upsertTrace(TraceInput)} writes: a trace keyed by its namespace and
 * external id, with optional attributes. An attribute left {@code null} keeps its stored value
 * when the trace exists, and is stored as {@code null} (visibility: {@link Visibility#PRIVATE};
 * created instant: now) when it is created.
 *
 * <p>Build one with {@link #of(String, String)} and the {@code with…} methods, each of which
 * returns a new value.
 *
 * @param namespace   the owner (a team, a user); required, not blank
 * @param externalId  the agent's session id, unique within the namespace; required, not blank
 * @param title       a human title, at most {@value #MAX_TITLE_LENGTH} characters
 * @param agentId     the agent, such as {@code claude-code}, {@code codex}, {@code cursor}
 * @param model       the main model, such as {@code claude-opus-4-5}
 * @param visibility  who may see the trace
 * @param projectName the project the session worked on (for example the cwd's last segment)
 * @param createdAt   when the session started; used only when the trace is created
 */
public record TraceInput(
        String namespace,
        String externalId,
        String title,
        String agentId,
        String model,
        Visibility visibility,
        String projectName,
        Instant createdAt) {

    /** The longest title accepted, in UTF-16 characters. */
    public static final int MAX_TITLE_LENGTH = 1000;

    public TraceInput {
        Checks.id("namespace", namespace);
        Checks.id("externalId", externalId);
        Checks.maxLength("title", title, MAX_TITLE_LENGTH);
    }

    /** A trace input with only its key set. */
    public static TraceInput of(String namespace, String externalId) {
        return new TraceInput(namespace, externalId, null, null, null, null, null, null);
    }

    /** This input with {@code title}; null keeps the stored title. */
    public TraceInput withTitle(String title) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }

    /** This input with agent {@code agentId}, such as {@code claude-code}; null keeps the stored one. */
    public TraceInput withAgent(String agentId) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }

    /** This input with main model {@code model}; null keeps the stored one. */
    public TraceInput withModel(String model) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }

    /** This input with {@code visibility}; null keeps the stored one ({@code PRIVATE} for a new trace). */
    public TraceInput withVisibility(Visibility visibility) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }

    /** This input with project {@code projectName}; null keeps the stored one. */
    public TraceInput withProject(String projectName) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }

    /** This input with the session start {@code createdAt}, used only when the trace is created. */
    public TraceInput withCreatedAt(Instant createdAt) {
        return new TraceInput(namespace, externalId, title, agentId, model, visibility, projectName, createdAt);
    }
}
