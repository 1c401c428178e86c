package dev.tracestore.web;

import dev.tracestore.TokenUsage;
import dev.tracestore.TraceDetail;
import dev.tracestore.Visibility;
import java.time.Instant;

/** Test traces: no tool calls and no token usage unless a test asks for them. */
final class Traces {
    static final Instant CREATED = Instant.parse("2025-11-29T09:15:30.123456Z");
    static final Instant UPDATED = Instant.parse("2025-11-30T18:02:07.5Z");

    private Traces() {}

    static TraceDetail trace(String title, long count) {
        return new TraceDetail(42, "team-42", "5f0c2b1e-1111-4222-8333-444455556666", title, "claude-code",
                "claude-opus-4-5", Visibility.PUBLIC, "billing", CREATED, UPDATED, count, 0, TokenUsage.NONE,
                count == 0 ? null : UPDATED, null);
    }

    static TraceDetail withVisibility(TraceDetail t, Visibility visibility) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(), visibility,
                t.projectName(), t.createdAt(), t.updatedAt(), t.messageCount(), t.toolCallCount(), t.tokens(), t.lastMessageAt(), t.ingestCursor());
    }

    static TraceDetail withAgentAndModel(TraceDetail t, String agentId, String model) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), agentId, model, t.visibility(),
                t.projectName(), t.createdAt(), t.updatedAt(), t.messageCount(), t.toolCallCount(), t.tokens(), t.lastMessageAt(), t.ingestCursor());
    }

    static TraceDetail withUpdatedAt(TraceDetail t, Instant updatedAt) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(), t.visibility(),
                t.projectName(), t.createdAt(), updatedAt, t.messageCount(), t.toolCallCount(), t.tokens(), t.lastMessageAt(), t.ingestCursor());
    }

    static TraceDetail withTotals(TraceDetail t, long toolCallCount, TokenUsage tokens) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(), t.visibility(),
                t.projectName(), t.createdAt(), t.updatedAt(), t.messageCount(), toolCallCount, tokens, t.lastMessageAt(), t.ingestCursor());
    }
}
