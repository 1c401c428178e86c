package dev.tracestore.storage.jdbc;

import dev.tracestore.Message;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * Every statement {@link JdbcTraceStorage} sends, for one dialect and table prefix, and the
 * mapping of the rows its reads select, built once
 * with the storage: the text a reader of the storage needs to see in one place, and no
 * statement text rebuilt per call. Multi-row upserts, whose text grows with the rows (about
 * 40 KB at 1000 rows), are built on first use and kept for the row counts batches mostly have:
 * up to {@value #KEPT_ROW_COUNTS} rows, and a full chunk (all of them kept would take about
 * 20 MB). Thread-safe.
 */
final class JdbcStatements {
    /** The trace columns every trace read selects, in the order {@code JdbcTraceStorage} maps them. */
    static final String TRACE_COLUMNS = "id, namespace, external_id, title, agent_id, model, visibility, "
            + "project_name, created_at, updated_at, message_count, " + "tool_call_count, input_tokens, output_tokens, "
            + "cache_read_tokens, cache_write_tokens, last_message_at, ingest_cursor, share_key, share_secret";
    /** How many columns {@link #TRACE_COLUMNS} names: a trace read's next column is this plus one. */
    static final int TRACE_COLUMN_COUNT = 20;
    /** The message columns every message read selects, in the order {@code JdbcTraceStorage} maps them. */
    static final String MESSAGE_COLUMNS = "external_id, seq, role, body, model, created_at, parts_json, tool_calls, "
            + "input_tokens, output_tokens, cache_read_tokens, cache_write_tokens";
    /** How many columns an upsert binds per message: the trace id, then {@link #MESSAGE_COLUMNS}. */
    static final int WRITTEN_COLUMN_COUNT = 13;
    /** The message columns every upsert writes, in the order it binds them: the trace id, then {@link #MESSAGE_COLUMNS}. */
    static final String WRITTEN_MESSAGE_COLUMNS = "trace_id, " + MESSAGE_COLUMNS;

    /** The most messages one upsert statement carries: the core's default largest batch. */
    static final int MAX_ROWS_PER_STATEMENT = 1000;
    /** The most characters of text and parts one upsert statement carries, unless one message alone has more. */
    static final int MAX_CHARS_PER_STATEMENT = 1_000_000;
    /** Upserts of up to this many rows are kept once built (about 340 KB of text together). */
    static final int KEPT_ROW_COUNTS = 128;

    private final Dialect dialect;
    private final String traces;
    private final String messages;

    /**
     * The one write to the trace row per batch: the count and every total, {@code lastMessageAt}
     * raised, {@code updatedAt} set; binds them with {@link #bindIncrement}. A null count or null
     * totals stay null (a null plus anything is null; totals are unknown when
     * {@code tool_call_count} is, whatever {@code last_message_at} holds).
     */
    final String increment;
    /**
     * Updates a live trace's given attributes; binds title, agent, model, visibility, project,
     * updated, whether it turns private (which removes its share token, twice), namespace, external id.
     */
    final String updateTrace;
    final String insertTrace;
    /** A trace and its tombstone flag by key; binds namespace, external id. */
    final String traceByKey;
    /** A live trace by id. */
    final String traceById;
    /** The row count of a live trace; binds the trace id twice. */
    final String countMessages;
    final String lockTrace;
    /** The stored count and the row count; binds the trace id twice. */
    final String countsForRecount;
    /** The totals of a live trace's message rows; binds the trace id twice. */
    final String sumMessages;
    /** Sets the count; binds it, then the trace id. */
    final String setCount;
    /** Live traces whose count is unknown, after an id; binds it and the limit. */
    final String unknownCounts;
    final String markDeleting;
    final String traceExists;
    final String lockTombstone;
    final String deleteMessageChunk;
    final String removeTrace;
    /** Traces being deleted, after an id; binds it and the limit. */
    final String deletingTraces;
    /** Every trace id of a namespace, after an id; binds the namespace, the id and the limit. */
    final String traceIds;
    final String traceVisible;
    /** A live trace by its share key; binds the key. */
    final String traceByShareKey;
    /** Gives a live, shareable trace without a token one; binds the key, the secret, the trace id. */
    final String createShareToken;
    /** Removes a live trace's share token; binds the trace id. */
    final String revokeShareToken;
    private final String firstMessages;
    private final String messagesAfter;
    /** The upsert bound as arrays, and it guarded after the increment, where the dialect binds arrays; else null. */
    private final String upsertArrays;
    private final String incrementAndUpsertArrays;
    /**
     * {@link #increment} that also compares and sets the ingest cursor: it matches only a trace
     * holding the expected cursor; binds as {@link #bindIncrement} with a cursor.
     */
    final String incrementWithCursor;
    /** The trace's tombstone flag and cursor, read after an append's increment matched nothing; binds the trace id. */
    final String cursorOf;
    /**
     * A truncation's first statement: compares and sets the cursor of a live trace, taking its
     * write lock; binds the new cursor, updatedAt, the trace id, the expected cursor.
     */
    final String moveCursor;
    /** Deletes a trace's messages from a sequence on; binds the trace id, the sequence. */
    final String deleteMessagesFrom;
    private final String cursorIncrementAndUpsertArrays;
    /** Kept upserts by row count, index rows - 1 (the last: a full chunk); built on first use. */
    private final AtomicReferenceArray<String> upserts = new AtomicReferenceArray<>(KEPT_ROW_COUNTS + 1);
    /** The increment and the guarded first upsert as one statement, kept as {@link #upserts} are. */
    private final AtomicReferenceArray<String> incrementAndUpserts = new AtomicReferenceArray<>(KEPT_ROW_COUNTS + 1);

    JdbcStatements(Dialect dialect, String prefix) {
        this.dialect = dialect;
        this.traces = dialect.quote(prefix + "traces");
        this.messages = dialect.quote(prefix + "messages");
        String limit = dialect.limit();
        String addToTrace = "UPDATE " + traces + " SET message_count = message_count + ?,"
                + " tool_call_count = tool_call_count + ?, input_tokens = input_tokens + ?, output_tokens = output_tokens + ?,"
                + " cache_read_tokens = cache_read_tokens + ?, cache_write_tokens = cache_write_tokens + ?,"
                + " last_message_at = CASE WHEN last_message_at IS NULL OR last_message_at < ? THEN ? ELSE last_message_at END,"
                + " updated_at = ?";
        increment = addToTrace + " WHERE id = ? AND deleting = FALSE";
        incrementWithCursor = addToTrace + ", ingest_cursor = ? WHERE id = ? AND deleting = FALSE AND ingest_cursor"
                + dialect.nullSafeEquals();
        updateTrace = "UPDATE " + traces + " SET title = COALESCE(?, title), agent_id = COALESCE(?, agent_id),"
                + " model = COALESCE(?, model), visibility = COALESCE(?, visibility),"
                + " project_name = COALESCE(?, project_name), updated_at = ?,"
                + " share_key = CASE WHEN ? THEN NULL ELSE share_key END,"
                + " share_secret = CASE WHEN ? THEN NULL ELSE share_secret END"
                + " WHERE namespace = ? AND external_id = ? AND deleting = FALSE";
        insertTrace = dialect.insertTrace(traces);
        traceByKey = "SELECT " + TRACE_COLUMNS + ", deleting FROM " + traces + " WHERE namespace = ? AND external_id = ?";
        traceById = "SELECT " + TRACE_COLUMNS + " FROM " + traces + " WHERE id = ? AND deleting = FALSE";
        countMessages = "SELECT (SELECT COUNT(*) FROM " + messages + " WHERE trace_id = ?) FROM " + traces
                + " WHERE id = ? AND deleting = FALSE";
        String sums = "(SELECT COUNT(*) n, COALESCE(SUM(tool_calls), 0) tc, COALESCE(SUM(input_tokens), 0) i,"
                + " COALESCE(SUM(output_tokens), 0) o, COALESCE(SUM(cache_read_tokens), 0) cr,"
                + " COALESCE(SUM(cache_write_tokens), 0) cw, MAX(created_at) latest FROM " + messages
                + " WHERE trace_id = ?) a";
        sumMessages = "SELECT a.tc, a.i, a.o, a.cr, a.cw, a.latest FROM " + traces + " t CROSS JOIN " + sums
                + " WHERE t.id = ? AND t.deleting = FALSE";
        lockTrace = dialect.lockTrace(traces);
        countsForRecount = "SELECT t.message_count, t.tool_call_count, t.input_tokens, t.output_tokens,"
                + " t.cache_read_tokens, t.cache_write_tokens, t.last_message_at, a.n, a.tc, a.i, a.o, a.cr, a.cw, a.latest"
                + " FROM " + traces + " t CROSS JOIN " + sums + " WHERE t.id = ?";
        setCount = "UPDATE " + traces + " SET message_count = ?, tool_call_count = ?, input_tokens = ?, output_tokens = ?,"
                + " cache_read_tokens = ?, cache_write_tokens = ?, last_message_at = ? WHERE id = ?";
        unknownCounts = "SELECT id FROM " + traces + " WHERE (message_count IS NULL OR tool_call_count IS NULL)"
                + " AND deleting = FALSE AND id > ? ORDER BY id " + limit;
        markDeleting = "UPDATE " + traces + " SET deleting = TRUE WHERE id = ?";
        traceExists = "SELECT 1 FROM " + traces + " WHERE id = ?";
        lockTombstone = dialect.lockTombstone(traces);
        deleteMessageChunk = dialect.deleteMessageChunk(messages);
        removeTrace = "DELETE FROM " + traces + " WHERE id = ? AND deleting = TRUE";
        deletingTraces = "SELECT id FROM " + traces + " WHERE deleting = TRUE AND id > ? ORDER BY id " + limit;
        traceIds = "SELECT id FROM " + traces + " WHERE namespace = ? AND id > ? ORDER BY id " + limit;
        traceVisible = "SELECT 1 FROM " + traces + " WHERE id = ? AND deleting = FALSE";
        traceByShareKey = "SELECT " + TRACE_COLUMNS + " FROM " + traces + " WHERE share_key = ? AND deleting = FALSE";
        createShareToken = "UPDATE " + traces + " SET share_key = ?, share_secret = ? WHERE id = ? AND deleting = FALSE"
                + " AND share_key IS NULL AND visibility <> 'PRIVATE'";
        revokeShareToken = "UPDATE " + traces + " SET share_key = NULL, share_secret = NULL WHERE id = ? AND deleting = FALSE";
        String messagePage = "SELECT " + MESSAGE_COLUMNS + " FROM " + messages + " WHERE trace_id = ?";
        // trace_id leads the ORDER BY so that planners (H2's) see that the index delivers the order.
        String messageOrder = " ORDER BY trace_id, seq, external_id " + limit;
        firstMessages = messagePage + messageOrder;
        // The leading "seq >= ?" gives every planner a range start on the (trace_id, seq, external_id) index.
        messagesAfter = messagePage + " AND seq >= ? AND (seq > ? OR external_id > ?)" + messageOrder;
        boolean arrays = dialect.bindsMessageArrays(MAX_ROWS_PER_STATEMENT);
        upsertArrays = arrays ? dialect.upsertMessageArrays(messages) : null;
        cursorOf = "SELECT deleting, ingest_cursor FROM " + traces + " WHERE id = ?";
        moveCursor = "UPDATE " + traces + " SET ingest_cursor = ?, updated_at = ? WHERE id = ? AND deleting = FALSE"
                + " AND ingest_cursor" + dialect.nullSafeEquals();
        deleteMessagesFrom = "DELETE FROM " + messages + " WHERE trace_id = ? AND seq >= ?";
        incrementAndUpsertArrays = arrays ? increment + "; " + dialect.upsertMessageArraysIntoVisibleTrace(messages, traces)
                : null;
        cursorIncrementAndUpsertArrays = arrays
                ? incrementWithCursor + "; " + dialect.upsertMessageArraysIntoVisibleTrace(messages, traces) : null;
    }

    /**
     * Checks, with {@link #traceVisible}, that the trace exists and is not being deleted.
     *
     * @throws TraceNotFoundException if it is absent or being deleted
     */
    void requireVisible(Connection c, long traceId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(traceVisible)) {
            ps.setLong(1, traceId);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new TraceNotFoundException(traceId);
                }
            }
        }
    }

    /** The trace at the result's row, selected as {@link #TRACE_COLUMNS}. */
    StoredTrace trace(ResultSet rs) throws SQLException {
        long count = rs.getLong(11);
        Long messageCount = rs.wasNull() ? null : count;
        return new StoredTrace(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                rs.getString(6), Visibility.valueOf(rs.getString(7)), rs.getString(8), dialect.getInstant(rs, 9),
                dialect.getInstant(rs, 10), messageCount, totals(rs, 12), rs.getString(18),
                rs.getString(19) == null ? null : new ShareToken(rs.getString(19), rs.getString(20)));
    }

    /**
     * The totals in six columns from {@code column} on (tool calls, the four token sums, the
     * latest message), or null when they are unknown (tool calls null).
     */
    TraceTotals totals(ResultSet rs, int column) throws SQLException {
        long toolCalls = rs.getLong(column);
        if (rs.wasNull()) {
            return null;
        }
        TokenUsage tokens = new TokenUsage(rs.getLong(column + 1), rs.getLong(column + 2), rs.getLong(column + 3),
                rs.getLong(column + 4));
        return new TraceTotals(toolCalls, tokens, nullableInstant(rs, column + 5));
    }

    private Instant nullableInstant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column) == null ? null : dialect.getInstant(rs, column);
    }

    /**
     * Binds {@link #increment}, or with a {@code cursor} {@link #incrementWithCursor}, from
     * parameter {@code p} on: the count increment, the totals added, {@code now}, the trace id
     * (and the cursor's two values); returns the next parameter's index.
     */
    int bindIncrement(PreparedStatement ps, int p, long countIncrement, TraceTotals added, CursorMove cursor, Instant now,
            long traceId) throws SQLException {
        ps.setLong(p++, countIncrement);
        ps.setLong(p++, added.toolCalls());
        ps.setLong(p++, added.tokens().inputTokens());
        ps.setLong(p++, added.tokens().outputTokens());
        ps.setLong(p++, added.tokens().cacheReadTokens());
        ps.setLong(p++, added.tokens().cacheWriteTokens());
        // Null for an append that only moves the cursor: then the comparison is unknown and the CASE keeps the stored instant.
        setNullableInstant(ps, p++, added.lastMessageAt());
        setNullableInstant(ps, p++, added.lastMessageAt());
        dialect.setInstant(ps, p++, now);
        if (cursor != null) {
            ps.setString(p++, cursor.next());
        }
        ps.setLong(p++, traceId);
        if (cursor != null) {
            ps.setString(p++, cursor.expected()); // null: a trace that holds no cursor yet
        }
        return p;
    }

    private void setNullableInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, dialect.instantType());
        } else {
            dialect.setInstant(ps, index, instant);
        }
    }

    /** Binds {@link #setCount}'s parameters: the count, the totals, the trace id. */
    void bindSetCount(PreparedStatement ps, long count, TraceTotals totals, long traceId) throws SQLException {
        ps.setLong(1, count);
        ps.setLong(2, totals.toolCalls());
        ps.setLong(3, totals.tokens().inputTokens());
        ps.setLong(4, totals.tokens().outputTokens());
        ps.setLong(5, totals.tokens().cacheReadTokens());
        ps.setLong(6, totals.tokens().cacheWriteTokens());
        setNullableInstant(ps, 7, totals.lastMessageAt());
        ps.setLong(8, traceId);
    }

    /** The message at the result's row, selected as {@link #MESSAGE_COLUMNS}. */
    Message message(ResultSet rs) throws SQLException {
        int toolCalls = rs.getInt(8);
        long input = rs.getLong(9);
        TokenUsage usage = rs.wasNull() ? null
                : new TokenUsage(input, rs.getLong(10), rs.getLong(11), rs.getLong(12));
        return new Message(rs.getString(1), rs.getLong(2), Role.valueOf(rs.getString(3)), rs.getString(4),
                rs.getString(5), dialect.getInstant(rs, 6), rs.getString(7), usage, toolCalls);
    }

    /**
     * One page of live traces of a namespace, newest first; binds the namespace, then the agent
     * and visibility where given, then the position's instant twice and id where given, then
     * the limit.
     */
    String listTraces(boolean byAgent, boolean byVisibility, boolean afterPosition) {
        StringBuilder sql = new StringBuilder("SELECT ").append(TRACE_COLUMNS).append(" FROM ").append(traces)
                .append(" WHERE namespace = ? AND deleting = FALSE");
        if (byAgent) {
            sql.append(" AND agent_id = ?");
        }
        if (byVisibility) {
            sql.append(" AND visibility = ?");
        }
        if (afterPosition) {
            sql.append(" AND updated_at <= ? AND (updated_at < ? OR id < ?)");
        }
        // namespace leads the ORDER BY so that planners see that the (namespace, updated_at, id) index delivers the order.
        return sql.append(" ORDER BY namespace DESC, updated_at DESC, id DESC ").append(dialect.limit()).toString();
    }

    /** One page of a trace's messages; binds the trace id, the position (sequence twice, id) if any, the limit. */
    String listMessages(boolean afterPosition) {
        return afterPosition ? messagesAfter : firstMessages;
    }

    /** The upsert of {@code rows} messages; binds them with {@link #bindMessages}. */
    String upsertMessages(int rows) {
        return dialect.bindsMessageArrays(rows) ? upsertArrays
                : kept(upserts, rows, () -> dialect.upsertMessages(messages, rows));
    }

    /**
     * The increment and, in the same statement, the first {@code rows} messages' upsert guarded
     * by the trace's visibility (for dialects that run statements together); binds the
     * increment's three parameters, each row's message columns, then the trace id.
     */
    String incrementAndUpsert(int rows, boolean withCursor) {
        if (dialect.bindsMessageArrays(rows)) {
            return withCursor ? cursorIncrementAndUpsertArrays : incrementAndUpsertArrays;
        }
        if (withCursor) { // appends are the rarer kind: their text of under 64 rows is built per call
            return incrementWithCursor + "; " + dialect.upsertMessagesIntoVisibleTrace(messages, traces, rows);
        }
        return kept(incrementAndUpserts, rows,
                () -> increment + "; " + dialect.upsertMessagesIntoVisibleTrace(messages, traces, rows));
    }

    /**
     * Binds the parameters of {@link #upsertMessages}{@code (rows.size())} for {@code rows}, from
     * parameter {@code p} on; returns the next parameter's index.
     */
    int bindMessages(PreparedStatement ps, int p, long traceId, List<Message> rows) throws SQLException {
        if (dialect.bindsMessageArrays(rows.size())) {
            return bindMessageArrays(ps, p, traceId, rows);
        }
        for (Message m : rows) {
            ps.setLong(p++, traceId);
            ps.setString(p++, m.externalId());
            ps.setLong(p++, m.sequence());
            ps.setString(p++, m.role().name());
            ps.setString(p++, m.text());
            ps.setString(p++, m.model());
            dialect.setInstant(ps, p++, m.createdAt());
            ps.setString(p++, m.partsJson());
            ps.setInt(p++, m.toolCalls());
            TokenUsage u = m.usage();
            if (u == null) {
                for (int i = 0; i < 4; i++) {
                    ps.setNull(p++, Types.BIGINT);
                }
            } else {
                ps.setLong(p++, u.inputTokens());
                ps.setLong(p++, u.outputTokens());
                ps.setLong(p++, u.cacheReadTokens());
                ps.setLong(p++, u.cacheWriteTokens());
            }
        }
        return p;
    }

    /** The trace id, then one array per column of {@link #MESSAGE_COLUMNS}. */
    private static int bindMessageArrays(PreparedStatement ps, int p, long traceId, List<Message> rows)
            throws SQLException {
        int n = rows.size();
        String[] ids = new String[n];
        Long[] sequences = new Long[n];
        String[] roles = new String[n];
        String[] texts = new String[n];
        String[] models = new String[n];
        String[] created = new String[n];
        String[] parts = new String[n];
        Integer[] toolCalls = new Integer[n];
        Long[][] usage = new Long[4][n];
        for (int i = 0; i < n; i++) {
            Message m = rows.get(i);
            ids[i] = m.externalId();
            sequences[i] = m.sequence();
            roles[i] = m.role().name();
            texts[i] = m.text();
            models[i] = m.model();
            created[i] = m.createdAt().toString();
            parts[i] = m.partsJson();
            toolCalls[i] = m.toolCalls();
            TokenUsage u = m.usage();
            if (u != null) {
                usage[0][i] = u.inputTokens();
                usage[1][i] = u.outputTokens();
                usage[2][i] = u.cacheReadTokens();
                usage[3][i] = u.cacheWriteTokens();
            }
        }
        Connection c = ps.getConnection();
        ps.setLong(p++, traceId);
        ps.setArray(p++, c.createArrayOf("text", ids));
        ps.setArray(p++, c.createArrayOf("int8", sequences));
        ps.setArray(p++, c.createArrayOf("text", roles));
        ps.setArray(p++, c.createArrayOf("text", texts));
        ps.setArray(p++, c.createArrayOf("text", models));
        ps.setArray(p++, c.createArrayOf("text", created));
        ps.setArray(p++, c.createArrayOf("text", parts));
        ps.setArray(p++, c.createArrayOf("int4", toolCalls));
        for (Long[] column : usage) {
            ps.setArray(p++, c.createArrayOf("int8", column));
        }
        return p;
    }

    /**
     * How many messages, from {@code from} on, the next upsert statement carries: at most
     * {@value #MAX_ROWS_PER_STATEMENT} (13 parameters each, well within every database's limit on
     * parameters), and at most {@value #MAX_CHARS_PER_STATEMENT} characters of text and parts
     * (so a statement stays far below MySQL's default 16 MiB packet), but always at least one.
     */
    static int rowsInStatement(List<Message> batch, int from) {
        int rows = 0;
        long chars = 0;
        while (from + rows < batch.size() && rows < MAX_ROWS_PER_STATEMENT) {
            Message m = batch.get(from + rows);
            chars += m.text().length() + (m.partsJson() == null ? 0 : m.partsJson().length());
            if (rows > 0 && chars > MAX_CHARS_PER_STATEMENT) {
                break;
            }
            rows++;
        }
        return rows;
    }

    /** The statement for {@code rows} from {@code kept}, built and kept there if it is a kept row count. */
    private String kept(AtomicReferenceArray<String> kept, int rows, Supplier<String> build) {
        int slot = rows <= KEPT_ROW_COUNTS ? rows - 1 : rows == MAX_ROWS_PER_STATEMENT ? KEPT_ROW_COUNTS : -1;
        if (slot < 0) {
            return build.get();
        }
        String sql = kept.get(slot);
        if (sql == null) {
            sql = build.get();
            kept.set(slot, sql); // a race builds the same text twice, harmlessly
        }
        return sql;
    }
}
