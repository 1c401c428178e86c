package dev.tracestore.examples.importer;

import dev.tracestore.Recount;
import java.nio.file.Path;

/**
 * One session file imported.
 *
 * @param file               the file
 * @param agentId            {@code claude-code} or {@code codex}
 * @param traceId            the trace it went to
 * @param title              the trace's title
 * @param messages           the messages read from the file and written
 * @param batches            how many batches they were written in
 * @param countBeforeRecount the cached count after the batches: higher than the messages when
 *                           this import re-sent messages stored by an earlier one (drift)
 * @param recount            the recount that repaired the drift
 */
public record SessionResult(Path file, String agentId, long traceId, String title, int messages, int batches,
        long countBeforeRecount, Recount recount) {
}
