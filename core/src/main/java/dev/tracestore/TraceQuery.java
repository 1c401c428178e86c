package dev.tracestore;

import dev.tracestore.internal.Checks;

/**
 * Which traces {@link TraceStore#listTraces(TraceQuery)} lists: those of one namespace, most
 * recently updated first, optionally only one agent's or one visibility's. Build one with
 * {@link #namespace(String)} and the {@code with…}/{@link #limit(int)}/{@link #after(String)}
 * methods, each of which returns a new value.
 *
 * @param namespace  the namespace listed; required
 * @param agentId    only this agent's traces, or null for all
 * @param visibility only traces with this visibility, or null for all
 * @param limit      the page size, 1 to {@value #MAX_LIMIT}; default {@value #DEFAULT_LIMIT}
 * @param cursor     the cursor of the previous page of this same query, or null for the first
 */
public record TraceQuery(String namespace, String agentId, Visibility visibility, int limit, String cursor) {

    /** The default page size. */
    public static final int DEFAULT_LIMIT = 50;
    /** The largest page size accepted. */
    public static final int MAX_LIMIT = 100;

    public TraceQuery {
        Checks.id("namespace", namespace);
        Checks.wellFormed("agentId", agentId);
        Checks.inRange("limit", limit, 1, MAX_LIMIT);
    }

    /** The first page of a namespace's traces, {@value #DEFAULT_LIMIT} per page. */
    public static TraceQuery namespace(String namespace) {
        return new TraceQuery(namespace, null, null, DEFAULT_LIMIT, null);
    }

    /** This query listing only agent {@code agentId}'s traces; null lists all agents. */
    public TraceQuery withAgent(String agentId) {
        return new TraceQuery(namespace, agentId, visibility, limit, cursor);
    }

    /** This query listing only traces with {@code visibility}; null lists all. */
    public TraceQuery withVisibility(Visibility visibility) {
        return new TraceQuery(namespace, agentId, visibility, limit, cursor);
    }

    /** This query with page size {@code limit}, 1 to {@value #MAX_LIMIT}. */
    public TraceQuery limit(int limit) {
        return new TraceQuery(namespace, agentId, visibility, limit, cursor);
    }

    /** This query continuing after the page whose {@link Page#nextCursor()} is {@code cursor}. */
    public TraceQuery after(String cursor) {
        return new TraceQuery(namespace, agentId, visibility, limit, cursor);
    }
}
