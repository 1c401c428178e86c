package dev.tracestore.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tracestore.MessageInput;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * One agent's session files, written as JSON Lines: how to recognise them and how to read
 * their lines into messages. {@link SessionSync} finds the formats on the class path with
 * {@link java.util.ServiceLoader} (list a class in
 * {@code META-INF/services/dev.tracestore.sync.SessionFormat}; it needs a public no-argument
 * constructor), so an application adds its own agent without touching this module.
 *
 * <p>A format reads a file as a stream, one line at a time, and keeps only what it must to
 * finish the message it is on. It says where reading may stop and start again by
 * {@linkplain Sink#cut(String) cuts}: {@link SessionSync} sends the messages before a cut as
 * one batch and stores the cut, with the format's state at that point, as the trace's ingest
 * cursor; the next sync starts a new {@link Reader} there with that state. So a message must
 * be complete before the cut that follows it, and a reader started at a cut must never emit a
 * message emitted before it.
 */
public interface SessionFormat {
    /** The longest state a {@link Sink#cut(String)} may carry. */
    int MAX_STATE_LENGTH = 400;

    /** The agent id of the traces this format makes, such as {@code claude-code}; also its name. */
    String agentId();

    /**
     * Whether a file of this name, met while walking a directory, may be a session of this
     * format. A path given on its own is read whatever its name.
     */
    boolean claims(Path file);

    /**
     * Whether this format reads the file, judged from its name and its first records.
     *
     * @param head the file's first JSON objects, at most 16 (fewer for a short file)
     */
    boolean recognises(Path file, List<JsonNode> head);

    /**
     * The session's id, which becomes the trace's external id, from the file's first records
     * or its name; null if neither carries one (the file is then reported and not synced).
     */
    String sessionId(Path file, List<JsonNode> head);

    /**
     * A reader for one pass over a file.
     *
     * @param state null to read from the file's start, or the state this format gave with the
     *              cut the pass starts at
     * @throws IllegalArgumentException if the state is not one this format writes
     */
    Reader reader(Path file, String state);

    /** Reads one pass over a file: its lines in order, then its end. Not thread-safe. */
    interface Reader {
        /**
         * Takes the next line. Called with every line that is a JSON object, in file order;
         * lines that are not are reported by {@link SessionSync} and not passed on.
         *
         * @param number the line's 1-based number in the file
         */
        void line(long number, JsonNode record, Sink sink);

        /**
         * The pass reached the end of the file's complete lines.
         *
         * @param quiet whether the file has not changed for the sync's quiet period, so that
         *              what the reader holds back waiting for more lines is complete
         */
        void end(boolean quiet, Sink sink);
    }

    /** Where a reader puts what it read. */
    interface Sink {
        /** A complete message, in the order messages are to be sent. */
        void message(MessageInput message);

        /**
         * Everything emitted so far is complete, and a reader started with {@code state}
         * resumes exactly here: at the start of the line being read, or, called from
         * {@link Reader#end}, after the last complete line.
         *
         * @param state what the reader needs to resume, at most {@value #MAX_STATE_LENGTH}
         *              characters of printable text without control characters, or null
         */
        void cut(String state);

        /**
         * The messages of sequence {@code fromSequence} or more are no longer part of the
         * session, as a rewind of the conversation says: those not sent yet are dropped, those
         * stored are removed from the trace ({@link dev.tracestore.TraceStore#truncateMessages}),
         * and reading resumes after the line being read, with {@code state} (a rewind changes
         * nothing else of the reader's state: reading may also resume at the line's start with
         * it). The reader must hold nothing back when it calls this.
         */
        void rewind(long fromSequence, String state);

        /**
         * As {@link #rewind(long, String)}, from the sequence of the stored message
         * {@code externalId}, for a message emitted by an earlier pass whose sequence the reader
         * does not know; if the trace holds no such message, every message is removed.
         */
        void rewindTo(String externalId, String state);

        /** The session's title, replacing the trace's. */
        void title(String title);

        /** The model the session uses now, replacing the trace's. */
        void model(String model);

        /** The session's project; taken when the trace is created. */
        void project(String project);

        /** A moment of the session; the earliest becomes the trace's creation time when the trace is created. */
        void seen(Instant at);

        /** Something on line {@code line} (0: the whole file) that was not read; the pass goes on. */
        void problem(long line, String reason);
    }
}
