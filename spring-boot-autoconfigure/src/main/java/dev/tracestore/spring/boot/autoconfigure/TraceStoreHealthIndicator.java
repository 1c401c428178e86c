package dev.tracestore.spring.boot.autoconfigure;

import dev.tracestore.CountReconciler;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;

/**
 * Up when the store answers a listing, which reads every column of the schema version this
 * release ships: so down when the database is unreachable or its schema is missing or behind
 * (the detail says to migrate). Its details say whether the drift guard runs, and how many
 * written traces wait for its recount.
 */
public final class TraceStoreHealthIndicator extends AbstractHealthIndicator {
    private final TraceStore store;

    public TraceStoreHealthIndicator(TraceStore store) {
        super("TraceStore health check failed");
        this.store = store;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        store.listTraces(TraceQuery.namespace("tracestore-health").limit(1));
        builder.up().withDetail("reconciler", store.reconciler().isPresent() ? "running" : "off");
        store.reconciler().map(CountReconciler::pending).ifPresent(p -> builder.withDetail("reconcilerPending", p));
    }
}
