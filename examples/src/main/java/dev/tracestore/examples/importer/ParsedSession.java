package dev.tracestore.examples.importer;

import dev.tracestore.MessageInput;
import dev.tracestore.TraceInput;
import java.nio.file.Path;
import java.util.List;

/**
 * One session file read into a trace and its messages.
 *
 * @param file     where it was read from
 * @param trace    the trace to upsert
 * @param messages the messages, in file order, with stable external ids
 * @param problems what could not be read (malformed or truncated lines, unknown record types)
 */
public record ParsedSession(Path file, TraceInput trace, List<MessageInput> messages, List<ImportProblem> problems) {

    public ParsedSession {
        messages = List.copyOf(messages);
        problems = List.copyOf(problems);
    }
}
