package dev.tracestore.sync;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One sync of one file: finds its trace, checks the trace's cursor against the file, reads
 * from the cursor on, and sends what it read in batches, each with the cursor it advances to
 * ({@link TraceStore#appendMessages}). Nothing is read twice into the store: a batch that
 * landed but whose acknowledgement was lost comes back as a cursor conflict naming the cursor
 * it set, and counts as sent.
 */
final class FileSync implements SessionFormat.Sink {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int HEAD_RECORDS = 16;

    private final SessionSync.Settings settings;
    private final Path file;
    private final List<SyncProblem> problems;

    private SessionFormat format;
    private String sessionId;
    private TraceDetail trace;
    private String storedCursor;
    /** The last point reading may resume from; its fingerprint is computed when it is sent. */
    private SyncCursor lastCut;
    /** The fingerprint of the file's first {@value SyncCursor#FINGERPRINT_BYTES} bytes, once computed. */
    private String headFingerprint;
    private LineReader lines;
    private LineReader.Line current;
    private final List<MessageInput> pending = new ArrayList<>();
    private int pendingAtCut;
    private String title;
    private String model;
    private String project;
    private Instant startedAt;
    private int sent;
    private int batches;
    private boolean stopped;
    private boolean resynced;
    /** Sequences of messages this pass sent, by external id, for a rewind to find: at most {@value #SENT_KEPT}. */
    private final Map<String, Long> sentSequences = new HashMap<>();
    private static final int SENT_KEPT = 10_000;
    private static final long SKIP_WITHOUT_WRITE = 1 << 20;
    /** Where the stored cursor stands. */
    private long storedOffset;
    /** A file that is one JSON document ({@link JsonDocuments}): its header; null for JSON Lines. */
    private ObjectNode document;
    private long documentSize;
    private boolean ending;
    /** Whether the file holds a complete line. */
    private boolean headLines;

    FileSync(SessionSync.Settings settings, Path file, List<SyncProblem> problems) {
        this.settings = settings;
        this.file = file;
        this.problems = problems;
    }

    /** Syncs the file; null when it is not a session any format reads, or cannot be synced now (reported). */
    SyncedFile run() throws IOException {
        long size = Files.size(file);
        List<JsonNode> head = head();
        if (head.isEmpty() && !headLines && !quiet()) {
            return null; // its first line is still being written: nothing to say of it yet
        }
        format = settings.formats().stream().filter(f -> f.recognises(file, head)).findFirst().orElse(null);
        if (format == null) {
            problem(0, head.isEmpty() ? "no line is a JSON object: not a session file" : "not a session of any known format ("
                    + String.join(", ", settings.formats().stream().map(SessionFormat::agentId).toList()) + "): not synced");
            return null;
        }
        sessionId = format.sessionId(file, head);
        if (sessionId == null) {
            problem(0, "no session id in the file or its name: not synced");
            return null;
        }
        trace = settings.store().findTrace(settings.namespace(), sessionId).orElse(null);
        storedCursor = trace == null ? null : trace.ingestCursor();
        SyncCursor from;
        try {
            from = storedCursor == null ? SyncCursor.START : SyncCursor.parse(storedCursor);
        } catch (IllegalArgumentException e) {
            problem(0, "trace " + trace.id() + " holds an ingest cursor that " + e.getMessage() + ": not synced");
            return null;
        }
        // A document is rewritten whole: any change means reading it again from its start.
        boolean changed = document != null ? from.offset() > 0 && (from.offset() != size || !from.matches(file, size))
                : !from.matches(file, size);
        if (changed) {
            // Replaced or truncated since: the trace keeps its id (and share link) and is synced
            // again from the file's start, its old messages removed in the same write that resets the cursor.
            String start = SyncCursor.START.toString();
            try {
                settings.store().truncateMessages(trace.id(), Long.MIN_VALUE, storedCursor, start);
            } catch (IngestCursorConflictException e) {
                problem(0, "another sync moved trace " + trace.id() + "'s ingest cursor meanwhile: not synced now");
                return null;
            }
            storedCursor = start;
            from = SyncCursor.START;
            resynced = true;
        }
        storedOffset = from.offset();
        boolean adopted = trace != null && storedCursor == null && trace.messageCount() > 0;
        if (from.offset() < size) {
            read(from, size);
        }
        if (adopted && !stopped) {
            settings.store().recalculateMessageCount(trace.id()); // its messages came without a cursor: re-sent now
        }
        boolean complete = lastCut == null ? from.offset() == size
                : lastCut.offset() == (document != null ? size : lineEnd());
        long read = document != null ? (from.offset() < size ? size : 0) : lines == null ? 0 : lines.end() - from.offset();
        return new SyncedFile(file, format.agentId(), sessionId, trace == null ? 0 : trace.id(), sent, batches,
                complete && !stopped, read, resynced);
    }

    private void read(SyncCursor from, long size) throws IOException {
        if (document != null) {
            readDocument(from, size);
            return;
        }
        SessionFormat.Reader reader;
        try {
            reader = format.reader(file, from.state());
        } catch (IllegalArgumentException e) {
            problem(0, "the ingest cursor's state is not " + format.agentId() + "'s (" + e.getMessage() + "): not synced");
            return;
        }
        boolean quiet = quiet();
        lastCut = from;
        try (LineReader r = new LineReader(file, from.offset(), from.line(), settings.maxLineBytes())) {
            lines = r;
            while (!stopped && (current = r.next()) != null) {
                JsonNode record = parse(current);
                if (record != null) {
                    formatSays(() -> reader.line(current.number(), record, this));
                }
            }
            if (!stopped) {
                formatSays(() -> reader.end(quiet, this));
                if (quiet && r.end() < size) {
                    problem(r.nextLineNumber(), "truncated last line (no newline at its end): not synced until it is complete");
                }
            }
            if (!stopped) {
                finish();
            }
        }
    }

    /** A document, read whole (it is complete as written: nothing is held back for quiet). */
    private void readDocument(SyncCursor from, long size) throws IOException {
        SessionFormat.Reader reader;
        try {
            reader = format.reader(file, null);
        } catch (IllegalArgumentException e) {
            problem(0, "the " + format.agentId() + " format cannot read it as a document (" + e.getMessage() + "): not synced");
            return;
        }
        lastCut = from;
        documentSize = size;
        try {
            JsonDocuments.read(file, document, (number, record) -> {
                if (!stopped) {
                    formatSays(() -> reader.line(number, record, this));
                }
            });
        } catch (JsonProcessingException e) {
            problem(0, "malformed JSON document (" + e.getOriginalMessage() + "): nothing synced past that point;"
                    + " a later sync reads it again from its start");
            stopped = true;
        }
        if (!stopped) {
            ending = true;
            formatSays(() -> reader.end(true, this));
        }
        if (!stopped) {
            finish();
        }
    }

    /**
     * Runs a format's code: a format that fails (an application's plugin with a bug) stops
     * this file, reported with the line, after sending what it read before its last cut; the
     * sync goes on with the other files. A storage failure from a batch the format's call set
     * off is not the format's: it propagates.
     */
    private void formatSays(Runnable call) {
        try {
            call.run();
        } catch (TraceStoreException | java.io.UncheckedIOException e) {
            throw e;
        } catch (RuntimeException e) {
            problem(current == null ? 0 : current.number(), "the " + format.agentId() + " format failed (" + e
                    + "): stopped here; what it read before its last resumable point is synced");
            if (!stopped) {
                flush();
            }
            stopped = true;
        }
    }

    // ---------------------------------------------------------------- the sink

    @Override
    public void message(MessageInput message) {
        pending.add(Objects.requireNonNull(message, "message"));
    }

    @Override
    public void cut(String state) {
        if (stopped) {
            return;
        }
        if (state != null && state.length() > SessionFormat.MAX_STATE_LENGTH) {
            throw new IllegalStateException("a format's cut state is over " + SessionFormat.MAX_STATE_LENGTH + " characters");
        }
        // In a document only its end is a point to resume from: a cut inside it stores a cursor past
        // the end, which the next sync takes for a change and reads the document again.
        long offset = document != null ? (ending ? documentSize : documentSize + 1)
                : current != null ? current.start() : lines.end();
        long line = document != null ? 0 : current != null ? current.number() : lines.nextLineNumber();
        lastCut = new SyncCursor(offset, line, 0, null, state); // fingerprinted only when sent: most cuts never are
        pendingAtCut = pending.size();
        if (pendingAtCut >= settings.batchSize()) {
            flush();
        }
    }

    @Override
    public void rewind(long fromSequence, String state) {
        if (stopped) {
            return;
        }
        pending.removeIf(m -> m.sequence() >= fromSequence); // emitted, not sent: only dropped
        cut(state); // what is left came before this line: reading may resume here
        if (stopped || trace == null) {
            return; // nothing stored yet to remove
        }
        flush(); // first what came before, so that a failure before the truncation resumes at this line
        if (stopped) {
            return;
        }
        SyncCursor after = document != null ? new SyncCursor(documentSize + 1, 0, 0, null, state)
                : new SyncCursor(current.end(), current.number() + 1, 0, null, state);
        String next = cursor(after);
        try {
            settings.store().truncateMessages(trace.id(), fromSequence, storedCursor, next);
        } catch (IngestCursorConflictException e) {
            problem(current == null ? 0 : current.number(), "another sync moved trace " + trace.id()
                    + "'s ingest cursor meanwhile: stopped here, the next sync goes on from where it left it");
            stopped = true;
            return;
        }
        storedCursor = next;
        storedOffset = after.offset();
        lastCut = after;
    }

    @Override
    public void rewindTo(String externalId, String state) {
        rewind(trace == null ? Long.MIN_VALUE : storedSequence(externalId), state);
    }

    /** The sequence of a stored message: sent by this pass, or else looked up in the trace; the lowest if it has none. */
    private long storedSequence(String externalId) {
        Long sequence = sentSequences.get(externalId);
        if (sequence != null) {
            return sequence;
        }
        String page = null;
        do {
            Page<Message> messages = settings.store().listMessages(trace.id(), page, 1000);
            for (Message m : messages.items()) {
                if (m.externalId().equals(externalId)) {
                    return m.sequence();
                }
            }
            page = messages.nextCursor();
        } while (page != null);
        return Long.MIN_VALUE; // not in the session: a rewind to it removes everything
    }

    @Override
    public void title(String title) {
        this.title = title;
    }

    @Override
    public void model(String model) {
        this.model = model;
    }

    @Override
    public void project(String project) {
        this.project = this.project != null ? this.project : project;
    }

    @Override
    public void seen(Instant at) {
        if (at != null && (startedAt == null || at.isBefore(startedAt))) {
            startedAt = at;
        }
    }

    @Override
    public void problem(long line, String reason) {
        problems.add(new SyncProblem(file, line, reason));
    }

    // ---------------------------------------------------------------- writing

    /**
     * At the end of a pass: whatever precedes the last cut goes. Lines that hold no message
     * (Gemini CLI's {@code $set} after every message, Claude Code's progress records) move the
     * cursor only once they add up to {@value #SKIP_WITHOUT_WRITE} bytes: until then a pass
     * reads them again, which costs less than a write each.
     */
    private void finish() {
        boolean cursorMoved = !cursor(lastCut).equals(storedCursor == null ? SyncCursor.START.toString() : storedCursor);
        if (pendingAtCut > 0 || (cursorMoved && lastCut.offset() - storedOffset >= SKIP_WITHOUT_WRITE)) {
            flush();
        } else if (trace != null) {
            updateTrace();
        }
    }

    /**
     * Sends the messages before the last cut with the cursor they advance to. A message the
     * store refuses is reported with its line and left out; the rest go.
     */
    private void flush() {
        List<MessageInput> batch = new ArrayList<>(pending.subList(0, pendingAtCut));
        String next = cursor(lastCut);
        if (batch.isEmpty() && (next.equals(storedCursor) || trace == null)) {
            return; // nothing new, or only lines that are not messages in a file with no trace yet
        }
        updateTrace();
        try {
            TraceWrites.Outcome outcome = TraceWrites.append(settings, trace.id(), batch, storedCursor, next,
                    (bad, reason) -> problem(bad.sequence(), "message not stored: " + reason));
            if (outcome == TraceWrites.Outcome.CONFLICT) {
                problem(0, "another sync moved trace " + trace.id() + "'s ingest cursor meanwhile: stopped here,"
                        + " the next sync goes on from where it left it");
                stopped = true;
                return;
            }
        } catch (IllegalArgumentException e) {
            problem(current == null ? 0 : current.number(), "cannot send " + batch.size() + " messages read with no"
                    + " point between them to resume from (" + e.getMessage() + "): stopped here");
            stopped = true;
            return;
        }
        storedCursor = next;
        storedOffset = lastCut.offset();
        sent += batch.size();
        batches++;
        if (sentSequences.size() + batch.size() > SENT_KEPT) {
            sentSequences.clear(); // older ones are looked up in the trace
        }
        for (MessageInput m : batch) {
            sentSequences.put(m.externalId(), m.sequence());
        }
        pending.subList(0, pendingAtCut).clear();
        pendingAtCut = 0;
    }

    /** A cut as the cursor to store: with the fingerprint of the file's first bytes, up to the cut. */
    private String cursor(SyncCursor cut) {
        if (cut.fingerprint() != null) {
            return cut.toString();
        }
        int length = (int) Math.min(cut.offset(), SyncCursor.FINGERPRINT_BYTES);
        try {
            String fingerprint = length < SyncCursor.FINGERPRINT_BYTES ? SyncCursor.fingerprint(file, length)
                    : headFingerprint != null ? headFingerprint : (headFingerprint = SyncCursor.fingerprint(file, length));
            return new SyncCursor(cut.offset(), cut.line(), length, fingerprint, cut.state()).toString();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Creates the trace, or updates its title and model if the lines read changed them: no write otherwise. */
    private void updateTrace() {
        trace = TraceWrites.upsert(settings, trace, format.agentId(), sessionId, title, model, project, startedAt);
    }

    // ---------------------------------------------------------------- reading

    private List<JsonNode> head() throws IOException {
        List<JsonNode> head = new ArrayList<>();
        try (LineReader r = new LineReader(file, 0, 1, settings.maxLineBytes())) {
            LineReader.Line l;
            for (int i = 0; i < 4 * HEAD_RECORDS && head.size() < HEAD_RECORDS && (l = r.next()) != null; i++) {
                headLines = true;
                JsonNode n = l.tooLong() ? null : quietParse(l.bytes());
                if (n != null && n.isObject()) {
                    head.add(n);
                }
            }
        }
        if (head.isEmpty() && JsonDocuments.looksLikeOne(file)) {
            try {
                document = JsonDocuments.header(file);
            } catch (JsonProcessingException e) {
                document = null; // neither JSON Lines nor a document: reported as no session
            }
            if (document != null) {
                head.add(document);
            }
        }
        return head;
    }

    /** The line as a JSON object, or null (reported) when it is not one. */
    private JsonNode parse(LineReader.Line line) {
        if (line.tooLong()) {
            problem(line.number(), "longer than " + settings.maxLineBytes() + " bytes: skipped");
            return null;
        }
        if (isBlank(line.bytes())) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(line.bytes());
            if (node != null && node.isObject()) {
                return node;
            }
            problem(line.number(), "not a JSON object: skipped");
        } catch (JsonProcessingException e) {
            problem(line.number(), "malformed JSON or not UTF-8 (" + e.getOriginalMessage() + "): skipped");
        } catch (IOException e) {
            problem(line.number(), "unreadable (" + e.getMessage() + "): skipped");
        }
        return null;
    }

    private static JsonNode quietParse(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\t' && b != '\r') {
                return false;
            }
        }
        return true;
    }

    private boolean quiet() throws IOException {
        Instant modified = Files.getLastModifiedTime(file).toInstant();
        return !modified.plus(settings.quietPeriod()).isAfter(settings.clock().instant());
    }

    private long lineEnd() {
        return lines == null ? 0 : lines.end();
    }
}
