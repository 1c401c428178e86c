package dev.tracestore.sync;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.MessageInput;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One sync of one {@link SessionDatabase} store: for each of its sessions, finds the trace,
 * checks the trace's cursor against the session, and sends the messages after it in batches,
 * each with the cursor it advances to. The cursor is {@code db1:<count>:<last id>}: how many
 * of the session's messages were read, and the id of the last.
 */
final class DatabaseSync {
    private static final String PREFIX = "db1:";
    private static final String START = PREFIX + "0:";

    private final SessionSync.Settings settings;
    private final SessionDatabase database;
    private final Path file;
    private final List<SyncProblem> problems;

    DatabaseSync(SessionSync.Settings settings, SessionDatabase database, Path file, List<SyncProblem> problems) {
        this.settings = settings;
        this.database = database;
        this.file = file;
        this.problems = problems;
    }

    /** Syncs every session of the store; the sessions not synced now are reported. */
    List<SyncedFile> run() throws IOException {
        List<SyncedFile> synced = new ArrayList<>();
        try (SessionDatabase.Source source = database.open(file)) {
            for (SessionDatabase.Session session : source.sessions()) {
                SyncedFile f = new SessionPass(source, session).run();
                if (f != null) {
                    synced.add(f);
                }
            }
        }
        return synced;
    }

    /** One session's pass. */
    private final class SessionPass {
        private final SessionDatabase.Source source;
        private final SessionDatabase.Session session;
        private TraceDetail trace;
        private String storedCursor;
        private long count;
        private String lastId;
        private String model;
        private int sent;
        private int batches;

        SessionPass(SessionDatabase.Source source, SessionDatabase.Session session) {
            this.source = source;
            this.session = session;
        }

        SyncedFile run() throws IOException {
            trace = settings.store().findTrace(settings.namespace(), session.id()).orElse(null);
            storedCursor = trace == null ? null : trace.ingestCursor();
            if (storedCursor != null && !readCursor(storedCursor)) {
                problem("trace " + trace.id() + " holds an ingest cursor that is not " + database.agentId() + "'s: not synced");
                return null;
            }
            boolean resynced = false;
            if (lastId != null && source.countThrough(session, lastId) != count) {
                // Messages up to the last one read were removed (a revert): the trace keeps its id and
                // share link, and shows the session as it is now, sent again from its start.
                try {
                    settings.store().truncateMessages(trace.id(), Long.MIN_VALUE, storedCursor, START);
                } catch (IngestCursorConflictException e) {
                    problem("another sync moved trace " + trace.id() + "'s ingest cursor meanwhile: not synced now");
                    return null;
                }
                storedCursor = START;
                count = 0;
                lastId = null;
                resynced = true;
            }
            boolean adopted = trace != null && storedCursor == null && trace.messageCount() > 0;
            Boolean complete = send();
            if (complete == null) {
                return new SyncedFile(file, database.agentId(), session.id(), trace.id(), sent, batches, false, 0, resynced);
            }
            if (adopted) {
                settings.store().recalculateMessageCount(trace.id()); // its messages came without a cursor: re-sent now
            }
            if (trace != null) {
                updateTrace(); // a title given since, with no new message
            }
            return new SyncedFile(file, database.agentId(), session.id(), trace == null ? 0 : trace.id(), sent, batches,
                    complete, 0, resynced);
        }

        /** Sends the messages after the cursor: whether all of them went, or null if another sync got in the way (reported). */
        private Boolean send() throws IOException {
            Instant quietBefore = settings.clock().instant().minus(settings.quietPeriod());
            while (true) {
                List<SessionDatabase.Entry> entries = source.messagesAfter(session, lastId, count, settings.batchSize());
                List<MessageInput> batch = new ArrayList<>();
                int taken = 0;
                boolean held = false;
                for (SessionDatabase.Entry e : entries) {
                    if (!e.complete() && e.changedAt() != null && e.changedAt().isAfter(quietBefore)) {
                        held = true; // still being written: it, and what follows, wait
                        break;
                    }
                    if (e.problem() != null) {
                        problem("message " + e.id() + ": " + e.problem());
                    }
                    if (e.message() != null) {
                        batch.add(e.message());
                        model = e.message().model() != null ? e.message().model() : model;
                    }
                    taken++;
                }
                if (taken > 0) {
                    String last = entries.get(taken - 1).id();
                    String next = PREFIX + (count + taken) + ":" + last;
                    if (next.length() > TraceStore.MAX_CURSOR_LENGTH) {
                        problem("message id " + last.substring(0, 40) + "… is too long to resume from: stopped here");
                        return false;
                    }
                    if (!batch.isEmpty() || trace != null) {
                        updateTrace();
                        TraceWrites.Outcome outcome = TraceWrites.append(settings, trace.id(), batch, storedCursor, next,
                                (bad, reason) -> problem("message " + bad.externalId() + " not stored: " + reason));
                        if (outcome == TraceWrites.Outcome.CONFLICT) {
                            problem("another sync moved trace " + trace.id() + "'s ingest cursor meanwhile: stopped here,"
                                    + " the next sync goes on from where it left it");
                            return null;
                        }
                        storedCursor = next;
                        sent += batch.size();
                        batches++;
                    } // else: no trace and nothing to store in it yet; the next sync reads these again
                    count += taken;
                    lastId = last;
                }
                if (held) {
                    return false;
                }
                if (entries.size() < settings.batchSize()) {
                    return true;
                }
            }
        }

        private boolean readCursor(String cursor) {
            int colon = cursor.indexOf(':', PREFIX.length());
            if (!cursor.startsWith(PREFIX) || colon < 0) {
                return false;
            }
            try {
                count = Long.parseLong(cursor.substring(PREFIX.length(), colon));
            } catch (NumberFormatException e) {
                return false;
            }
            lastId = colon == cursor.length() - 1 ? null : cursor.substring(colon + 1);
            return count >= 0 && (count == 0) == (lastId == null);
        }

        private void updateTrace() {
            trace = TraceWrites.upsert(settings, trace, database.agentId(), session.id(), session.title(), model,
                    session.project(), session.createdAt());
        }

        private void problem(String reason) {
            problems.add(new SyncProblem(file, 0, "session " + session.id() + ": " + reason));
        }
    }
}
