package dev.tracestore.sync;

import java.nio.file.Path;

/**
 * One session file synced.
 *
 * @param file      the file
 * @param agentId   the format that read it, such as {@code claude-code}
 * @param sessionId the session's id: the trace's external id
 * @param traceId   the trace it went to, or 0 if the file held no message yet (no trace was made)
 * @param messages  the messages this sync sent: 0 for a file unchanged since the last sync
 * @param batches   how many batches they were sent in, each with the ingest cursor it advanced to
 * @param complete  whether the store now holds everything the file's complete lines say; false
 *                  while a reply whose lines may still be arriving is held back (see
 *                  {@link SessionSync.Builder#quietPeriod}), or when the sync stopped early (reported)
 * @param bytesRead how much of the file this sync read: from the trace's cursor to the end of its complete lines
 * @param resynced  whether the file was replaced or truncated since the last sync (it no longer
 *                  starts as it did, or is shorter than what was read), so that its trace's
 *                  messages were removed and the file synced again from its start
 */
public record SyncedFile(Path file, String agentId, String sessionId, long traceId, int messages, int batches,
        boolean complete, long bytesRead, boolean resynced) {
}
