package dev.tracestore.web;

import dev.tracestore.TraceDetail;
import dev.tracestore.Visibility;
import java.time.Instant;

/** Test traces. */
final class Traces {
    static final Instant CREATED = Instant.parse("2025-11-29T09:15:30.123456Z");
    static final Instant UPDATED = Instant.parse("2025-11-30T18:02:07.5Z");

    private Traces() {}

    static TraceDetail trace(String title, long count) {
        return new TraceDetail(42, "team-42", "5f0c2b1e-1111-4222-8333-444455556666", title, "claude-code",
                "claude-opus-4-5", Visibility.PUBLIC, "billing", CREATED, UPDATED, count);
    }

    static TraceDetail withVisibility(TraceDetail t, Visibility visibility) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(), visibility,
                t.projectName(), t.createdAt(), t.updatedAt(), t.messageCount());
    }

    static TraceDetail withAgentAndModel(TraceDetail t, String agentId, String model) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), agentId, model, t.visibility(),
                t.projectName(), t.createdAt(), t.updatedAt(), t.messageCount());
    }

    static TraceDetail withUpdatedAt(TraceDetail t, Instant updatedAt) {
        return new TraceDetail(t.id(), t.namespace(), t.externalId(), t.title(), t.agentId(), t.model(), t.visibility(),
                t.projectName(), t.createdAt(), updatedAt, t.messageCount());
    }
}
