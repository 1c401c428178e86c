package dev.tracestore.examples.importer;

import java.nio.file.Path;

/**
 * Something an import could not take, with where it was.
 *
 * @param file   the file, or the directory that was asked for
 * @param line   the 1-based line number, or 0 when the problem is the whole file
 * @param reason what was wrong, for a person
 */
public record ImportProblem(Path file, int line, String reason) {

    @Override
    public String toString() {
        return line > 0 ? file + ":" + line + ": " + reason : file + ": " + reason;
    }
}
