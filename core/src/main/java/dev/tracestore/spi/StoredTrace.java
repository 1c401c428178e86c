package dev.tracestore.spi;

import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import java.time.Instant;

/**
 * A trace row as the storage holds it.
 *
 * @param id           the store-assigned id, positive
 * @param namespace    the owner
 * @param externalId   the agent's session id
 * @param title        nullable
 * @param agentId      nullable
 * @param model        nullable
 * @param visibility   never null
 * @param projectName  nullable
 * @param createdAt    never null
 * @param updatedAt    never null
 * @param messageCount the cached count, or null when unknown (rows written before counts existed)
 * @param totals       the cached totals, or null when unknown (rows written before totals
 *                     existed, schema version 1)
 * @param ingestCursor where the trace's source has been read up to, or null
 * @param shareToken   the token its share pages are addressed by, or null: always null for a
 *                     private trace
 */
public record StoredTrace(
        long id,
        String namespace,
        String externalId,
        String title,
        String agentId,
        String model,
        Visibility visibility,
        String projectName,
        Instant createdAt,
        Instant updatedAt,
        Long messageCount,
        TraceTotals totals,
        String ingestCursor,
        ShareToken shareToken) {
}
