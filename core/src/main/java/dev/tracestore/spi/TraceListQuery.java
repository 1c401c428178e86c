package dev.tracestore.spi;

import dev.tracestore.Visibility;
import java.time.Instant;

/**
 * One page request of a trace listing, in order of {@code updatedAt} descending, then
 * {@code id} descending. Traces being deleted are never listed.
 *
 * @param namespace  only this namespace's traces
 * @param agentId    only this agent's traces, or null for all
 * @param visibility only this visibility, or null for all
 * @param after      list only traces strictly after this position, or null from the start
 * @param limit      the most rows to return
 */
public record TraceListQuery(String namespace, String agentId, Visibility visibility, Position after, int limit) {

    /** A keyset position in a trace listing. */
    public record Position(Instant updatedAt, long id) {
    }

    /** Whether {@code trace} comes strictly after {@link #after()} in listing order. */
    public boolean isAfterCursor(StoredTrace trace) {
        if (after == null) {
            return true;
        }
        int byTime = trace.updatedAt().compareTo(after.updatedAt());
        return byTime < 0 || (byTime == 0 && trace.id() < after.id());
    }

    /** Whether {@code trace} passes the namespace, agent and visibility filters. */
    public boolean matches(StoredTrace trace) {
        return trace.namespace().equals(namespace)
                && (agentId == null || agentId.equals(trace.agentId()))
                && (visibility == null || visibility == trace.visibility());
    }
}
