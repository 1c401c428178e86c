package dev.tracestore.examples.importer;

import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Imports Claude Code and Codex session files into a {@link TraceStore}: one trace per
 * session, its messages through {@link TraceStore#upsertMessagesBatch} in batches, then
 * {@link TraceStore#recalculateMessageCount} to repair the drift a re-import causes.
 *
 * <p>Re-importing a file, for example a live session's that grew, upserts the same messages
 * again: the rows stay the same, the optimistic count first drifts upward by the re-sent
 * messages, and the final recount repairs it; {@link SessionResult} reports both numbers.
 *
 * <p>Bad input never stops an import: a malformed line, an unknown record type, a truncated
 * last line, a file that is not JSON Lines or a missing path becomes an {@link ImportProblem}
 * with its file and line, and everything else is imported. Storage failures do stop it
 * ({@link dev.tracestore.TraceStoreException}); a new run picks up where it stopped, since
 * every write is an upsert. Not thread-safe; use one importer per thread.
 */
public final class SessionImporter {
    /** Reports progress: files done of files found, and messages written so far. */
    @FunctionalInterface
    public interface Progress {
        void update(int filesDone, int filesTotal, long messages);

        /** Progress that reports nothing. */
        static Progress none() {
            return (done, total, messages) -> {};
        }
    }

    private final TraceStore store;
    private final String namespace;
    private final Visibility visibility;
    private final int batchSize;
    private final Progress progress;

    /**
     * @param store      where the sessions go
     * @param namespace  the namespace every imported trace gets
     * @param visibility the visibility imported traces get, or null to leave it to the store
     *                   (private for a new trace; unchanged for one imported before)
     * @param batchSize  messages per batch, 1 to the store's batch limit
     * @param progress   told after each file
     */
    public SessionImporter(TraceStore store, String namespace, Visibility visibility, int batchSize, Progress progress) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batchSize: must be at least 1; got " + batchSize);
        }
        this.store = store;
        this.namespace = namespace;
        this.visibility = visibility;
        this.batchSize = batchSize;
        this.progress = progress;
    }

    /** Imports every session file at or under each path (directories are searched for {@code *.jsonl}). */
    public ImportReport importPaths(List<Path> roots) {
        List<ImportProblem> problems = new ArrayList<>();
        List<Path> files = new ArrayList<>();
        int subagentFiles = 0;
        for (Path root : roots) {
            if (!Files.exists(root)) {
                problems.add(new ImportProblem(root, 0, "no such file or directory"));
            } else if (Files.isDirectory(root)) {
                for (Path f : jsonlFilesUnder(root)) {
                    if (isSubagentTranscript(f)) {
                        subagentFiles++;
                    } else {
                        files.add(f);
                    }
                }
            } else {
                files.add(root);
            }
        }
        List<SessionResult> sessions = new ArrayList<>();
        long messages = 0;
        for (int i = 0; i < files.size(); i++) {
            SessionResult r = importFile(files.get(i), problems);
            if (r != null) {
                sessions.add(r);
                messages += r.messages();
            }
            progress.update(i + 1, files.size(), messages);
        }
        return new ImportReport(sessions, problems, subagentFiles);
    }

    private SessionResult importFile(Path file, List<ImportProblem> problems) {
        ParsedSession session;
        try {
            session = parse(file, problems);
        } catch (IOException e) {
            problems.add(new ImportProblem(file, 0, "cannot read: " + e.getMessage()));
            return null;
        }
        if (session == null) {
            return null;
        }
        problems.addAll(session.problems());
        TraceDetail trace;
        try {
            trace = store.upsertTrace(visibility == null ? session.trace() : session.trace().withVisibility(visibility));
        } catch (IllegalArgumentException e) {
            problems.add(new ImportProblem(file, 0, "session not imported: " + e.getMessage()));
            return null;
        }
        List<MessageInput> all = session.messages();
        int written = 0;
        int batches = 0;
        for (int from = 0; from < all.size(); from += batchSize) {
            List<MessageInput> batch = all.subList(from, Math.min(all.size(), from + batchSize));
            try {
                store.upsertMessagesBatch(trace.id(), batch);
                written += batch.size();
                batches++;
            } catch (IllegalArgumentException rejected) {
                written += oneByOne(file, trace.id(), batch, problems); // keep every valid message of the batch
                batches++;
            }
        }
        long cached = store.getTrace(trace.id()).orElseThrow().messageCount();
        Recount recount = store.recalculateMessageCount(trace.id());
        String agent = session.trace().agentId();
        return new SessionResult(file, agent, trace.id(), trace.title(), written, batches, cached, recount);
    }

    private int oneByOne(Path file, long traceId, List<MessageInput> batch, List<ImportProblem> problems) {
        int written = 0;
        for (MessageInput m : batch) {
            try {
                store.upsertMessage(traceId, m);
                written++;
            } catch (IllegalArgumentException e) {
                problems.add(new ImportProblem(file, (int) m.sequence(), "message not stored: " + e.getMessage()));
            }
        }
        return written;
    }

    private ParsedSession parse(Path file, List<ImportProblem> problems) throws IOException {
        JsonLines.Content content = JsonLines.read(file);
        if (content.lines().isEmpty()) {
            problems.addAll(content.problems());
            if (content.problems().isEmpty()) {
                problems.add(new ImportProblem(file, 0, "empty file: nothing to import"));
            } else if (content.problems().stream().allMatch(p -> p.line() > 0)) {
                problems.add(new ImportProblem(file, 0, "not a JSON Lines session file: no line is a JSON object"));
            }
            return null;
        }
        if (ClaudeCodeFormat.recognises(content.lines())) {
            return ClaudeCodeFormat.parse(file, content, namespace);
        }
        if (CodexFormat.recognises(content.lines())) {
            return CodexFormat.parse(file, content, namespace);
        }
        problems.add(new ImportProblem(file, 0, "neither a Claude Code nor a Codex session: not imported"));
        return null;
    }

    private static boolean isSubagentTranscript(Path file) {
        Path parent = file.getParent();
        return parent != null && parent.getFileName() != null && parent.getFileName().toString().equals("subagents");
    }

    private static List<Path> jsonlFilesUnder(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).filter(p -> p.getFileName().toString().endsWith(".jsonl"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
