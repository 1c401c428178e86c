package dev.tracestore.sync;

import java.util.List;

/**
 * The outcome of a sync.
 *
 * @param files    the session files synced, in the order read, unchanged ones included
 * @param problems what could not be synced, each with its file and line
 */
public record SyncReport(List<SyncedFile> files, List<SyncProblem> problems) {

    public SyncReport {
        files = List.copyOf(files);
        problems = List.copyOf(problems);
    }

    /** The messages sent, over all files. */
    public long messages() {
        return files.stream().mapToLong(SyncedFile::messages).sum();
    }
}
