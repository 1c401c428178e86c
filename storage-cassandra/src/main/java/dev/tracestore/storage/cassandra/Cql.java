package dev.tracestore.storage.cassandra;

/**
 * Every CQL statement the storage runs, for one keyspace: the one place where the adapter's
 * queries live (the tables are in {@code db/tracestore/cassandra/V1__create_tables.cql}, and
 * {@code V2__totals.cql}).
 * Values are always bound, never spliced; the keyspace name is validated by the builder.
 */
final class Cql {
    // traces: attributes (static) and positions (clustering rows, newest first)
    final String readTrace;
    /** The ingest cursor's compare-and-set, a lightweight transaction on the trace's static column; binds next, id, expected. */
    final String advanceCursor;
    /** The ingest cursor, for a serial read that settles an advance whose outcome is unknown; binds the id. */
    final String readCursor;
    final String createTrace;
    final String updateTrace;
    final String createShareToken;
    final String revokeShareToken;
    /** The trace id a share key names, in {@code share_keys}. */
    final String shareKeyTrace;
    final String insertShareKey;
    /** The share key a trace holds, read at the serial consistency after an update made it private. */
    final String readTraceShareKey;
    final String deleteShareKey;
    final String insertPosition;
    final String deletePositionsBefore;
    final String dropTrace;
    final String setCount;
    final String unknownTotalsScan;
    final String markDeleting;
    final String claimPurge;

    // keys, ids, the trace list
    final String readKey;
    final String claimKey;
    final String freeKey;
    final String insertId;
    final String deleteId;
    final String idsAfter;
    final String insertListed;
    final String deleteListed;
    final String listFirst;
    final String listAfter;

    // counts
    final String readCounter;
    final String addToCounter;
    final String dropCounter;

    // messages
    final String insertPositionAndLast;
    final String upsertMessageKey;
    final String upsertMessage;
    final String messagesFirst;
    final String messagesAfter;
    final String currentSequences;
    final String deleteStaleMessage;
    final String countMessages;
    final String messageKeys;
    final String deleteMessageKey;
    final String deleteMessagesFrom;
    final String messageSums;
    final String dropMessages;
    final String dropMessageKeys;

    // global bookkeeping: one partition each
    final String insertPending;
    final String deletePending;
    final String pendingAfter;
    final String unknownAfter;
    final String deleteUnknown;
    final String insertUnknown;
    final String readUpgradeScan;
    final String finishUpgradeScan;
    final String readIdBlock;
    final String createIdBlock;
    final String advanceIdBlock;

    Cql(String keyspace) {
        String traces = keyspace + ".traces";
        readTrace = "SELECT namespace, external_id, title, agent_id, model, visibility, project_name, created_at,"
                + " count_offset, tool_calls_offset, input_tokens_offset, output_tokens_offset, cache_read_tokens_offset,"
                + " cache_write_tokens_offset, count_unknown, totals_known, last_message_at, deleting, ingest_cursor,"
                + " share_key, share_secret, updated_at FROM " + traces + " WHERE id = ?";
        advanceCursor = "UPDATE " + traces + " SET ingest_cursor = ? WHERE id = ? IF ingest_cursor = ?";
        readCursor = "SELECT ingest_cursor FROM " + traces + " WHERE id = ? LIMIT 1";
        // totals_known = true: a trace created from schema version 2 on has known totals from the start.
        createTrace = "INSERT INTO " + traces + " (id, updated_at, namespace, external_id, title, agent_id, model,"
                + " visibility, project_name, created_at, totals_known) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, true)";
        // Null attributes stay unset when bound: they keep the stored value and write no tombstone.
        // share_key and share_secret are set to null, with the visibility, by an update that makes the trace private.
        updateTrace = "UPDATE " + traces + " SET title = ?, agent_id = ?, model = ?, visibility = ?, project_name = ?,"
                + " share_key = ?, share_secret = ? WHERE id = ?";
        createShareToken = "UPDATE " + traces + " SET share_key = ?, share_secret = ? WHERE id = ?"
                + " IF share_key = null AND visibility IN ('PUBLIC', 'UNLISTED')";
        revokeShareToken = "UPDATE " + traces + " SET share_key = null, share_secret = null WHERE id = ? IF share_key = ?";
        shareKeyTrace = "SELECT trace_id FROM " + keyspace + ".share_keys WHERE share_key = ?";
        insertShareKey = "INSERT INTO " + keyspace + ".share_keys (share_key, trace_id) VALUES (?, ?) IF NOT EXISTS";
        readTraceShareKey = "SELECT share_key FROM " + traces + " WHERE id = ? LIMIT 1";
        deleteShareKey = "DELETE FROM " + keyspace + ".share_keys WHERE share_key = ?";
        insertPosition = "INSERT INTO " + traces + " (id, updated_at) VALUES (?, ?)";
        // One range tombstone for every older position, rather than a row tombstone each: a hot
        // trace's partition, read by every write, keeps a few tombstones instead of one per batch.
        deletePositionsBefore = "DELETE FROM " + traces + " WHERE id = ? AND updated_at < ?";
        dropTrace = "DELETE FROM " + traces + " WHERE id = ?";
        // Every offset and the latest message in one write: a recount sets the count and the totals together.
        setCount = "UPDATE " + traces + " SET count_offset = ?, tool_calls_offset = ?, input_tokens_offset = ?,"
                + " output_tokens_offset = ?, cache_read_tokens_offset = ?, cache_write_tokens_offset = ?,"
                + " last_message_at = ?, count_unknown = false, totals_known = true WHERE id = ?";
        // Static columns only: one row per trace partition, read once by the upgrade's scan.
        unknownTotalsScan = "SELECT DISTINCT id, namespace, totals_known, deleting FROM " + traces;
        markDeleting = "UPDATE " + traces + " SET deleting = true WHERE id = ?";
        claimPurge = "UPDATE " + traces + " SET purged_by = ?, purged_count = ? WHERE id = ? IF purged_by = null AND deleting = true";

        readKey = "SELECT id FROM " + keyspace + ".trace_keys WHERE namespace = ? AND external_id = ?";
        claimKey = "INSERT INTO " + keyspace + ".trace_keys (namespace, external_id, id) VALUES (?, ?, ?) IF NOT EXISTS";
        freeKey = "DELETE FROM " + keyspace + ".trace_keys WHERE namespace = ? AND external_id = ? IF id = ?";
        insertId = "INSERT INTO " + keyspace + ".trace_ids (namespace, id) VALUES (?, ?)";
        deleteId = "DELETE FROM " + keyspace + ".trace_ids WHERE namespace = ? AND id = ?";
        idsAfter = "SELECT id FROM " + keyspace + ".trace_ids WHERE namespace = ? AND id > ? LIMIT ?";
        String listed = keyspace + ".traces_by_namespace";
        insertListed = "INSERT INTO " + listed + " (namespace, updated_at, id) VALUES (?, ?, ?)";
        deleteListed = "DELETE FROM " + listed + " WHERE namespace = ? AND updated_at = ? AND id = ?";
        listFirst = "SELECT updated_at, id FROM " + listed + " WHERE namespace = ? LIMIT ?";
        listAfter = "SELECT updated_at, id FROM " + listed + " WHERE namespace = ? AND (updated_at, id) < (?, ?) LIMIT ?";

        readCounter = "SELECT message_count, tool_calls, input_tokens, output_tokens, cache_read_tokens,"
                + " cache_write_tokens FROM " + keyspace + ".trace_counts WHERE trace_id = ?";
        // One statement, one partition: the count and the totals move together, in one mutation.
        addToCounter = "UPDATE " + keyspace + ".trace_counts SET message_count = message_count + ?,"
                + " tool_calls = tool_calls + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,"
                + " cache_read_tokens = cache_read_tokens + ?, cache_write_tokens = cache_write_tokens + ?"
                + " WHERE trace_id = ?";
        dropCounter = "DELETE FROM " + keyspace + ".trace_counts WHERE trace_id = ?";

        String keys = keyspace + ".message_keys";
        String messages = keyspace + ".messages";
        insertPositionAndLast = "INSERT INTO " + traces + " (id, updated_at, last_message_at) VALUES (?, ?, ?)";
        upsertMessageKey = "INSERT INTO " + keys + " (trace_id, external_id, seq) VALUES (?, ?, ?)";
        upsertMessage = "INSERT INTO " + messages + " (trace_id, seq, external_id, role, body, extras, created_at,"
                + " usage, tool_calls) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
        String messageColumns = "SELECT seq, external_id, role, body, extras, created_at, usage, tool_calls FROM "
                + messages;
        messagesFirst = messageColumns + " WHERE trace_id = ? LIMIT ?";
        messagesAfter = messageColumns + " WHERE trace_id = ? AND (seq, external_id) > (?, ?) LIMIT ?";
        currentSequences = "SELECT external_id, seq, WRITETIME(seq) FROM " + keys + " WHERE trace_id = ? AND external_id IN ?";
        deleteStaleMessage = "DELETE FROM " + messages + " WHERE trace_id = ? AND seq = ? AND external_id = ?";
        countMessages = "SELECT seq FROM " + keys + " WHERE trace_id = ?";
        messageKeys = "SELECT external_id, seq FROM " + keys + " WHERE trace_id = ?";
        messageSums = "SELECT seq, external_id, created_at, usage, tool_calls FROM " + messages + " WHERE trace_id = ?";
        dropMessages = "DELETE FROM " + messages + " WHERE trace_id = ?";
        deleteMessageKey = "DELETE FROM " + keys + " WHERE trace_id = ? AND external_id = ?";
        deleteMessagesFrom = "DELETE FROM " + messages + " WHERE trace_id = ? AND seq >= ?";
        dropMessageKeys = "DELETE FROM " + keys + " WHERE trace_id = ?";

        insertPending = "INSERT INTO " + keyspace + ".pending_deletions (shard, trace_id) VALUES (?, ?)";
        deletePending = "DELETE FROM " + keyspace + ".pending_deletions WHERE shard = ? AND trace_id = ?";
        pendingAfter = "SELECT trace_id FROM " + keyspace + ".pending_deletions WHERE shard = ? AND trace_id > ? LIMIT ?";
        unknownAfter = "SELECT trace_id FROM " + keyspace + ".unknown_counts WHERE shard = ? AND trace_id > ? LIMIT ?";
        deleteUnknown = "DELETE FROM " + keyspace + ".unknown_counts WHERE shard = ? AND trace_id = ?";
        insertUnknown = "INSERT INTO " + keyspace + ".unknown_counts (shard, trace_id) VALUES (?, ?)";
        readUpgradeScan = "SELECT finished_at FROM " + keyspace + ".upgrade_scans WHERE name = ?";
        finishUpgradeScan = "INSERT INTO " + keyspace + ".upgrade_scans (name, finished_at) VALUES (?, ?)";
        readIdBlock = "SELECT next_id FROM " + keyspace + ".id_blocks WHERE name = 'traces'";
        createIdBlock = "INSERT INTO " + keyspace + ".id_blocks (name, next_id) VALUES ('traces', ?) IF NOT EXISTS";
        advanceIdBlock = "UPDATE " + keyspace + ".id_blocks SET next_id = ? WHERE name = 'traces' IF next_id = ?";
    }
}
