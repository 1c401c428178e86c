package dev.tracestore.sync;

import dev.tracestore.MessageInput;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One agent's sessions kept as records in a store of the agent's own, rather than as one file
 * per session: a database file holding many sessions (OpenCode's {@code opencode.db}), or a
 * session file whose messages live in files beside it (OpenCode's older JSON storage). Found
 * with {@link java.util.ServiceLoader} as {@link SessionFormat}s are (list a class in
 * {@code META-INF/services/dev.tracestore.sync.SessionDatabase}).
 *
 * <p>A session's messages must have ids that sort, as text, in the order they were written,
 * new messages after the old (OpenCode's ascending ids do). {@link SessionSync} keeps, as each
 * trace's ingest cursor, the id of the last message it sent and how many messages the session
 * held up to it; the next sync asks for the messages after that id. If the session then holds
 * another number of messages up to that id (some were removed, as a revert of the conversation
 * does), the trace's messages are removed and the session is sent again from its start.
 */
public interface SessionDatabase {

    /** The agent id of the traces this store makes, such as {@code opencode}; also its name. */
    String agentId();

    /**
     * Whether a file of this name, met while walking a directory or given on its own, is one of
     * these stores.
     */
    boolean claims(Path file);

    /**
     * Files beside {@code file} whose change means the store changed (SQLite's {@code -wal}
     * file, a directory messages are added to): a follower watches them too.
     */
    default List<Path> companions(Path file) {
        return List.of();
    }

    /**
     * Opens the store for one pass; what it reads should be one consistent view.
     *
     * @throws IOException if it cannot be read; the sync reports it and goes on with the rest
     */
    Source open(Path file) throws IOException;

    /** One pass over one store. Not thread-safe. */
    interface Source extends Closeable {
        /** The sessions it holds, in a stable order. */
        List<Session> sessions() throws IOException;

        /**
         * The session's messages whose id sorts after {@code afterId}, in id order, at most
         * {@code limit} of them.
         *
         * @param afterId       null for the session's first
         * @param firstPosition the position of the first one returned among all the session's
         *                      messages, from 0: each returned message's sequence is its position
         */
        List<Entry> messagesAfter(Session session, String afterId, long firstPosition, int limit) throws IOException;

        /** How many messages of the session have an id up to and including {@code id}. */
        long countThrough(Session session, String id) throws IOException;
    }

    /**
     * A session.
     *
     * @param id        its id: the trace's external id
     * @param title     its title now, or null
     * @param project   its project, or null
     * @param createdAt when it began, or null
     */
    record Session(String id, String title, String project, Instant createdAt) {
    }

    /**
     * A message of a session, as the store holds it now.
     *
     * @param id        its id in the store
     * @param message   the message to send, or null for a record that holds no message (it
     *                  still takes its position)
     * @param complete  whether it is finished: a message still being written (a reply still
     *                  streaming) is held back, and the messages after it with it, until it is
     *                  complete or has not changed for the sync's quiet period
     * @param changedAt when it last changed, or null if unknown
     * @param problem   what of it could not be read (reported with the session; the rest of it,
     *                  if anything, is sent), or null
     */
    record Entry(String id, MessageInput message, boolean complete, Instant changedAt, String problem) {
    }
}
