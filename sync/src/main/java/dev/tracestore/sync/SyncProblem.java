package dev.tracestore.sync;

import java.nio.file.Path;

/**
 * Something a sync could not take, with where it was; the sync went on with the rest.
 *
 * @param file   the file, or the path that was asked for
 * @param line   the 1-based line number, or 0 when the problem is the whole file
 * @param reason what was wrong, for a person
 */
public record SyncProblem(Path file, long line, String reason) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason;
    }
}
