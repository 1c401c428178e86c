package dev.tracestore.sync;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.InvalidMessageException;
import dev.tracestore.MessageInput;
import dev.tracestore.StorageException;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import java.time.Instant;
import java.util.List;
import java.util.function.BiConsumer;

/** The writes every sync makes to a trace, whatever it reads: its metadata, and its batches with their cursors. */
final class TraceWrites {
    private static final int ATTEMPTS = 3;

    /** How a batch went. */
    enum Outcome {
        /** It is stored: by this call, or by an earlier one whose acknowledgement was lost. */
        LANDED,
        /** The trace holds another cursor than the one expected: another sync moved it; nothing was written. */
        CONFLICT
    }

    private TraceWrites() {}

    /**
     * Sends a batch with the cursor it advances to. A message the store refuses is taken out of
     * {@code batch}, given to {@code refused} with the reason, and the rest is sent; a storage
     * failure is retried, which the cursor makes safe, and propagates after {@value #ATTEMPTS} attempts.
     *
     * @throws IllegalArgumentException if the batch breaks a limit of the store's
     */
    static Outcome append(SessionSync.Settings settings, long traceId, List<MessageInput> batch, String expectedCursor,
            String nextCursor, BiConsumer<MessageInput, String> refused) {
        for (int attempt = 1; ; ) {
            try {
                settings.store().appendMessages(traceId, batch, expectedCursor, nextCursor);
                return Outcome.LANDED;
            } catch (InvalidMessageException e) {
                refused.accept(batch.remove(e.index()), e.getMessage());
            } catch (IngestCursorConflictException e) {
                return nextCursor.equals(e.storedCursor()) ? Outcome.LANDED : Outcome.CONFLICT;
            } catch (StorageException e) {
                if (++attempt > ATTEMPTS) {
                    throw e; // the cursor makes the next sync's retry of this batch safe
                }
            }
        }
    }

    /**
     * Creates the session's trace, or updates its title and model if they changed: no write
     * otherwise. Project and start are taken only when the trace is created.
     *
     * @param trace the trace as stored, or null to create it
     */
    static TraceDetail upsert(SessionSync.Settings settings, TraceDetail trace, String agentId, String sessionId,
            String title, String model, String project, Instant startedAt) {
        if (trace == null) {
            TraceInput input = TraceInput.of(settings.namespace(), sessionId).withAgent(agentId).withTitle(title)
                    .withModel(model).withProject(project).withCreatedAt(startedAt);
            return settings.store().upsertTrace(settings.visibility() == null ? input : input.withVisibility(settings.visibility()));
        }
        boolean titleChanged = title != null && !title.equals(trace.title());
        boolean modelChanged = model != null && !model.equals(trace.model());
        if (!titleChanged && !modelChanged) {
            return trace;
        }
        return settings.store().upsertTrace(TraceInput.of(trace.namespace(), trace.externalId())
                .withTitle(titleChanged ? title : null).withModel(modelChanged ? model : null));
    }
}
