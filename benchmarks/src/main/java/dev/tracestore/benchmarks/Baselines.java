package dev.tracestore.benchmarks;

import dev.tracestore.MessageInput;
import dev.tracestore.TokenUsage;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.storage.jdbc.AdapterSql;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The JDBC baselines of {@link IngestBenchmark}, each writing one batch of messages into a
 * trace as one transaction on the benchmark's pool. Every baseline runs its transaction as
 * {@code JdbcTraceStorage} runs a write: at the dialect's write isolation, switched on the
 * connection and back only where the pool's level differs (MariaDB: READ COMMITTED over the
 * pool's REPEATABLE READ, two statements per batch, as the adapter sends them), so that two
 * designs differ only in the statements they send. The messages are bound as the adapter binds
 * them (no model, no parts, created now).
 */
final class Baselines {

    private final BenchDatabase db;
    private final AdapterSql sql;
    private final String traces;
    private final String singleRowSql;
    /** The adapter's one write to the trace row, the same string, so PgJDBC prepares it once for both. */
    private final String oneWriteSql;
    private final String incrementByOneSql;
    /** The level the pool hands connections out at (HikariCP resets a borrower's change on return). */
    private final int poolIsolation;
    private final CountOnly countOnly;
    /** {@link #rawMultiRowReused}'s statements, by physical connection and text. */
    private final Map<Connection, Map<String, PreparedStatement>> prepared = new WeakHashMap<>();

    Baselines(BenchDatabase db) {
        this.db = db;
        this.sql = db.sql;
        this.traces = db.table("traces");
        this.singleRowSql = sql.upsertMessages(1);
        this.oneWriteSql = sql.increment();
        this.incrementByOneSql = "UPDATE " + traces + " SET message_count = message_count + 1 WHERE id = ?";
        this.countOnly = new CountOnly(db);
        try (Connection c = db.pool.getConnection()) {
            this.poolIsolation = c.getTransactionIsolation();
        } catch (SQLException e) {
            throw new IllegalStateException("reading the pool's isolation level failed", e);
        }
    }

    /** The dialect's single-row upsert, one row per {@code addBatch}, sent as one JDBC batch; no count. */
    void rawSingleRowBatch(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> singleRowBatch(c, traceId, batch, now));
    }

    /**
     * The adapter's multi-row upserts, chunked as the adapter chunks them, with no count: the
     * adapter's write minus the trace-row write. (On PostgreSQL the adapter's first chunk is
     * the guarded form, sent with the increment; without an increment there is nothing to send
     * it with, so here every chunk is the plain multi-row upsert.)
     */
    void rawMultiRow(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> multiRow(c, traceId, batch, 0, now));
    }

    /**
     * As {@link #rawMultiRow}, every chunk bound as one array per column (PostgreSQL's
     * {@code unnest} form): one statement text for every size, against the row of parameters
     * per message of {@code rawMultiRow}. No count.
     */
    void rawArrays(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> {
            for (int from = 0; from < batch.size(); ) {
                int rows = rowsInStatement(batch, from);
                try (PreparedStatement ps = c.prepareStatement(sql.upsertMessageArrays())) {
                    bindArrays(ps, 1, traceId, batch.subList(from, from + rows), now);
                    ps.executeUpdate();
                }
                from += rows;
            }
        });
    }

    /**
     * TraceStore's design by hand, statement for statement as the adapter sends it: the trace-row
     * write ({@code message_count + n}, {@code updated_at}, unless being deleted), then the
     * upserts, each in the form the adapter picks for its rows; where the dialect runs statements
     * together (PostgreSQL), the write and the first chunk's guarded upsert as one
     * {@code ;}-joined statement, two round trips with the commit. What it leaves out is the
     * library's code: validation, sorting and de-duplication in the core, retries and the
     * bookkeeping of the transaction in the adapter.
     *
     * @throws TraceNotFoundException if the write matched no trace row, as the adapter does
     */
    void handWritten(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> {
            boolean together = sql.runsStatementsTogether();
            int from = together ? rowsInStatement(batch, 0) : 0;
            try (PreparedStatement ps = c.prepareStatement(together ? sql.incrementAndUpsert(from) : oneWriteSql)) {
                TraceTotals added = totals(batch, now); // what the core adds for these messages
                int p = sql.bindIncrement(ps, 1, batch.size(), added, now, traceId);
                if (together) {
                    ps.setLong(bindAsAdapter(ps, p, traceId, batch.subList(0, from), now), traceId);
                }
                ps.execute();
                if (ps.getUpdateCount() == 0) {
                    throw new TraceNotFoundException(traceId);
                }
            }
            while (from < batch.size()) {
                int rows = rowsInStatement(batch, from);
                String upsert = sql.bindsMessageArrays(rows) ? sql.upsertMessageArrays() : sql.upsertMessages(rows);
                try (PreparedStatement ps = c.prepareStatement(upsert)) {
                    bindAsAdapter(ps, 1, traceId, batch.subList(from, from + rows), now);
                    ps.executeUpdate();
                }
                from += rows;
            }
        });
    }

    /**
     * As {@link #rawMultiRow}, each statement text prepared once per physical connection and
     * reused (statements a pool does not track, as a statement cache would keep them): against
     * {@code rawMultiRow}, how much of a batch is compiling the statement. No count.
     */
    void rawMultiRowReused(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> {
            Connection physical = c.unwrap(Connection.class);
            Map<String, PreparedStatement> cache;
            synchronized (prepared) {
                cache = prepared.computeIfAbsent(physical, k -> new HashMap<>());
            }
            for (int from = 0; from < batch.size(); ) {
                int rows = rowsInStatement(batch, from);
                String text = sql.upsertMessages(rows);
                PreparedStatement ps = cache.get(text);
                if (ps == null) {
                    ps = physical.prepareStatement(text);
                    cache.put(text, ps);
                }
                ps.clearParameters();
                bind(ps, 1, traceId, batch.subList(from, from + rows), now);
                ps.executeUpdate();
                from += rows;
            }
        });
    }

    /**
     * The count-only design by hand ({@link CountOnly}): today's {@link #handWritten} without the
     * totals, as the adapter wrote before schema version 2.
     */
    void countOnly(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> countOnly.write(c, traceId, batch, now));
    }

    /** What the core adds to the totals for {@code batch}, all its messages created {@code now}. */
    private static TraceTotals totals(List<MessageInput> batch, Instant now) {
        long toolCalls = 0;
        TokenUsage tokens = TokenUsage.NONE;
        for (MessageInput m : batch) {
            toolCalls += m.toolCalls();
            if (m.usage() != null) {
                tokens = tokens.plus(m.usage());
            }
        }
        return new TraceTotals(toolCalls, tokens, now);
    }

    /**
     * {@link #rawSingleRowBatch} plus one {@code message_count = message_count + 1} per message,
     * sent as one JDBC batch after the messages.
     */
    void perMessageCounter(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> {
            singleRowBatch(c, traceId, batch, now);
            try (PreparedStatement ps = c.prepareStatement(incrementByOneSql)) {
                for (int i = 0; i < batch.size(); i++) {
                    ps.setLong(1, traceId);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
        });
    }

    /** Rails' {@code counter_cache}: per message, the single-row upsert and then the counter's update, each a round trip. */
    void ormCounter(long traceId, List<MessageInput> batch) throws SQLException {
        inTransaction((c, now) -> {
            try (PreparedStatement upsert = c.prepareStatement(singleRowSql);
                    PreparedStatement increment = c.prepareStatement(incrementByOneSql)) {
                for (MessageInput m : batch) {
                    bindOne(upsert, 1, traceId, m, now);
                    upsert.executeUpdate();
                    increment.setLong(1, traceId);
                    increment.executeUpdate();
                }
            }
        });
    }

    private void singleRowBatch(Connection c, long traceId, List<MessageInput> batch, Instant now) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(singleRowSql)) {
            for (MessageInput m : batch) {
                bindOne(ps, 1, traceId, m, now);
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** The messages from {@code from} on as the adapter sends them: one multi-row upsert per chunk. */
    private void multiRow(Connection c, long traceId, List<MessageInput> batch, int from, Instant now)
            throws SQLException {
        while (from < batch.size()) {
            int rows = rowsInStatement(batch, from);
            try (PreparedStatement ps = c.prepareStatement(sql.upsertMessages(rows))) {
                bind(ps, 1, traceId, batch.subList(from, from + rows), now);
                ps.executeUpdate();
            }
            from += rows;
        }
    }

    /** The adapter's chunking ({@code JdbcStatements.rowsInStatement}): rows and characters per statement, at least one row. */
    private static int rowsInStatement(List<MessageInput> batch, int from) {
        int rows = 0;
        long chars = 0;
        while (from + rows < batch.size() && rows < AdapterSql.MAX_ROWS_PER_STATEMENT) {
            chars += batch.get(from + rows).text().length();
            if (rows > 0 && chars > AdapterSql.MAX_CHARS_PER_STATEMENT) {
                break;
            }
            rows++;
        }
        return rows;
    }

    /** Binds {@code rows} in the form the adapter picks for their number; returns the next index. */
    private int bindAsAdapter(PreparedStatement ps, int p, long traceId, List<MessageInput> rows, Instant now)
            throws SQLException {
        return sql.bindsMessageArrays(rows.size()) ? bindArrays(ps, p, traceId, rows, now) : bind(ps, p, traceId, rows, now);
    }

    /** Binds the trace id and one array per column for {@code rows}, as the adapter does; returns the next index. */
    private static int bindArrays(PreparedStatement ps, int p, long traceId, List<MessageInput> rows, Instant now)
            throws SQLException {
        int n = rows.size();
        String[] ids = new String[n];
        Long[] sequences = new Long[n];
        String[] roles = new String[n];
        String[] texts = new String[n];
        String[] created = new String[n];
        String at = now.toString();
        for (int i = 0; i < n; i++) {
            MessageInput m = rows.get(i);
            ids[i] = m.externalId();
            sequences[i] = m.sequence();
            roles[i] = m.role().name();
            texts[i] = m.text();
            created[i] = at;
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
        Integer[] toolCalls = new Integer[n];
        Long[][] usage = new Long[4][n];
        for (int i = 0; i < n; i++) {
            MessageInput m = rows.get(i);
            toolCalls[i] = m.toolCalls();
            if (m.usage() != null) {
                usage[0][i] = m.usage().inputTokens();
                usage[1][i] = m.usage().outputTokens();
                usage[2][i] = m.usage().cacheReadTokens();
                usage[3][i] = m.usage().cacheWriteTokens();
            }
        }
        ps.setArray(p + 8, c.createArrayOf("int4", toolCalls));
        for (int k = 0; k < 4; k++) {
            ps.setArray(p + 9 + k, c.createArrayOf("int8", usage[k]));
        }
        return p + 13;
    }

    /** Binds the upsert's parameters for {@code rows} from parameter {@code p} on, a row at a time, as the adapter does; returns the next index. */
    private int bind(PreparedStatement ps, int p, long traceId, List<MessageInput> rows, Instant now)
            throws SQLException {
        for (MessageInput m : rows) {
            p = bindOne(ps, p, traceId, m, now);
        }
        return p;
    }

    private int bindOne(PreparedStatement ps, int p, long traceId, MessageInput m, Instant now) throws SQLException {
        ps.setLong(p, traceId);
        ps.setString(p + 1, m.externalId());
        ps.setLong(p + 2, m.sequence());
        ps.setString(p + 3, m.role().name());
        ps.setString(p + 4, m.text());
        ps.setString(p + 5, null);
        sql.setInstant(ps, p + 6, now);
        ps.setString(p + 7, null);
        ps.setInt(p + 8, m.toolCalls());
        TokenUsage u = m.usage();
        if (u == null) {
            for (int k = 9; k <= 12; k++) {
                ps.setNull(p + k, Types.BIGINT);
            }
        } else {
            ps.setLong(p + 9, u.inputTokens());
            ps.setLong(p + 10, u.outputTokens());
            ps.setLong(p + 11, u.cacheReadTokens());
            ps.setLong(p + 12, u.cacheWriteTokens());
        }
        return p + 13;
    }

    @FunctionalInterface
    private interface Work {
        void run(Connection c, Instant now) throws SQLException;
    }

    /** Runs {@code work} as one transaction on a pooled connection, as the adapter runs a write. */
    private void inTransaction(Work work) throws SQLException {
        Instant now = Instant.now();
        int isolation = sql.writeIsolation();
        boolean switchIsolation = isolation != -1 && isolation != poolIsolation;
        try (Connection c = db.pool.getConnection()) {
            if (switchIsolation) {
                c.setTransactionIsolation(isolation);
            }
            c.setAutoCommit(false);
            try {
                work.run(c, now);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
                if (switchIsolation) {
                    c.setTransactionIsolation(poolIsolation);
                }
            }
        }
    }
}
