package dev.tracestore.examples.importer;

import java.util.List;

/**
 * The outcome of an import.
 *
 * @param sessions            the sessions imported, in the order read
 * @param problems            what could not be imported, each with its file and line
 * @param subagentFilesSkipped subagent transcripts found beside their sessions and not imported
 *                            on their own (see {@link ClaudeCodeFormat})
 */
public record ImportReport(List<SessionResult> sessions, List<ImportProblem> problems, int subagentFilesSkipped) {

    public ImportReport {
        sessions = List.copyOf(sessions);
        problems = List.copyOf(problems);
    }

    /** Whether at least one session was imported. */
    public boolean importedAnything() {
        return !sessions.isEmpty();
    }

    /** The messages written, over all sessions. */
    public long messages() {
        return sessions.stream().mapToLong(SessionResult::messages).sum();
    }
}
