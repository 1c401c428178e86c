package dev.tracestore.benchmarks;

import dev.tracestore.MessageInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.storage.jdbc.AdapterSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;

/**
 * The count-only design as the adapter sent it before totals (schema version 1's statements,
 * code at {@code 8b5c7ee}), written by hand against today's tables: the increment of the count
 * and {@code updated_at} alone, and upserts of the eight columns of version 1, in the same
 * forms and round trips ({@code ;}-joined first chunk on PostgreSQL, one array per column from
 * 64 rows there). Against {@link Baselines#handWritten}, which sends today's statements, it
 * shows what the totals cost the design, with no library code on either side. The columns
 * version 2 added keep their defaults (no usage, no tool calls).
 */
final class CountOnly {
    private static final String COLUMNS = "trace_id, external_id, seq, role, body, model, created_at, parts_json";
    private static final String ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";
    private static final int ARRAYS_FROM_ROWS = 64;

    private final BenchDatabase db;
    private final AdapterSql sql;
    private final String traces;
    private final String messages;
    private final String increment;

    CountOnly(BenchDatabase db) {
        this.db = db;
        this.sql = db.sql;
        this.traces = db.table("traces");
        this.messages = db.table("messages");
        this.increment = "UPDATE " + traces + " SET message_count = message_count + ?, updated_at = ? WHERE id = ?"
                + " AND deleting = FALSE";
    }

    /** One batch as the count-only adapter wrote it, in {@code c}'s transaction. */
    void write(Connection c, long traceId, List<MessageInput> batch, Instant now) throws SQLException {
        boolean together = db.kind == BenchDatabase.Kind.postgresql;
        int from = together ? Math.min(batch.size(), AdapterSql.MAX_ROWS_PER_STATEMENT) : 0;
        String first = together ? increment + "; " + upsert(from, true) : increment;
        try (PreparedStatement ps = c.prepareStatement(first)) {
            ps.setLong(1, batch.size());
            sql.setInstant(ps, 2, now);
            ps.setLong(3, traceId);
            if (together) {
                ps.setLong(bind(ps, 4, traceId, batch.subList(0, from), now), traceId);
            }
            ps.execute();
            if (ps.getUpdateCount() == 0) {
                throw new TraceNotFoundException(traceId);
            }
        }
        while (from < batch.size()) {
            int rows = Math.min(batch.size() - from, AdapterSql.MAX_ROWS_PER_STATEMENT);
            try (PreparedStatement ps = c.prepareStatement(upsert(rows, false))) {
                bind(ps, 1, traceId, batch.subList(from, from + rows), now);
                ps.executeUpdate();
            }
            from += rows;
        }
    }

    private boolean arrays(int rows) {
        return db.kind == BenchDatabase.Kind.postgresql && rows >= ARRAYS_FROM_ROWS;
    }

    /** Version 1's upsert of {@code rows} messages, guarded by the trace's visibility where {@code guarded}. */
    private String upsert(int rows, boolean guarded) {
        String guard = guarded ? " WHERE EXISTS (SELECT 1 FROM " + traces + " WHERE id = ? AND deleting = FALSE)" : "";
        String replace = " ON CONFLICT (trace_id, external_id) DO UPDATE SET seq = excluded.seq, role = excluded.role,"
                + " body = excluded.body, model = excluded.model, created_at = excluded.created_at,"
                + " parts_json = excluded.parts_json";
        if (arrays(rows)) {
            return "INSERT INTO " + messages + " (" + COLUMNS + ") SELECT ?, v.* FROM unnest(?::text[], ?::bigint[],"
                    + " ?::text[], ?::text[], ?::text[], ?::timestamptz[], ?::text[]) AS v" + guard + replace;
        }
        String values = (ROW + ", ").repeat(rows - 1) + ROW;
        return switch (db.kind) {
            case h2 -> "MERGE INTO " + messages + " (" + COLUMNS + ") KEY (trace_id, external_id) VALUES " + values;
            case mariadb -> "INSERT INTO " + messages + " (" + COLUMNS + ") VALUES " + values
                    + " ON DUPLICATE KEY UPDATE seq = VALUES(seq), role = VALUES(role), body = VALUES(body),"
                    + " model = VALUES(model), created_at = VALUES(created_at), parts_json = VALUES(parts_json)";
            case postgresql -> guarded
                    ? "INSERT INTO " + messages + " (" + COLUMNS + ") SELECT * FROM (VALUES " + values + ") AS v ("
                            + COLUMNS + ")" + guard + replace
                    : "INSERT INTO " + messages + " (" + COLUMNS + ") VALUES " + values + replace;
            case sqlite -> "INSERT INTO " + messages + " (" + COLUMNS + ") VALUES " + values + replace;
        };
    }

    private int bind(PreparedStatement ps, int p, long traceId, List<MessageInput> rows, Instant now)
            throws SQLException {
        if (arrays(rows.size())) {
            int n = rows.size();
            String[] ids = new String[n];
            Long[] sequences = new Long[n];
            String[] roles = new String[n];
            String[] texts = new String[n];
            String[] created = new String[n];
            for (int i = 0; i < n; i++) {
                MessageInput m = rows.get(i);
                ids[i] = m.externalId();
                sequences[i] = m.sequence();
                roles[i] = m.role().name();
                texts[i] = m.text();
                created[i] = now.toString();
            }
            Connection c = ps.getConnection();
            ps.setLong(p, traceId);
            ps.setArray(p + 1, c.createArrayOf("text", ids));
            ps.setArray(p + 2, c.createArrayOf("int8", sequences));
            ps.setArray(p + 3, c.createArrayOf("text", roles));
            ps.setArray(p + 4, c.createArrayOf("text", texts));
            ps.setArray(p + 5, c.createArrayOf("text", new String[n]));
            ps.setArray(p + 6, c.createArrayOf("text", created));
            ps.setArray(p + 7, c.createArrayOf("text", new String[n]));
            return p + 8;
        }
        for (MessageInput m : rows) {
            ps.setLong(p++, traceId);
            ps.setString(p++, m.externalId());
            ps.setLong(p++, m.sequence());
            ps.setString(p++, m.role().name());
            ps.setString(p++, m.text());
            ps.setString(p++, null);
            sql.setInstant(ps, p++, now);
            ps.setString(p++, null);
        }
        return p;
    }
}
