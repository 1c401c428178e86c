package dev.tracestore.storage.jdbc;

import dev.tracestore.TraceTotals;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;

/**
 * The statements a {@link JdbcTraceStorage} sends and the dialect's bindings, opened to the
 * benchmarks' hand-written baselines so that they send exactly the adapter's SQL without the
 * adapter's code. A test fixture: it ships in this module's {@code tests} jar, which only the
 * benchmarks use, never in the library, whose dialects keep their SQL to themselves.
 */
public final class AdapterSql {
    /** As the adapter: the most messages one upsert statement carries. */
    public static final int MAX_ROWS_PER_STATEMENT = JdbcStatements.MAX_ROWS_PER_STATEMENT;
    /** As the adapter: the most characters of text and parts one upsert statement carries, unless one message alone has more. */
    public static final int MAX_CHARS_PER_STATEMENT = JdbcStatements.MAX_CHARS_PER_STATEMENT;
    /** The message columns every upsert writes, in the order it binds them. */
    public static final String WRITTEN_MESSAGE_COLUMNS = JdbcStatements.WRITTEN_MESSAGE_COLUMNS;

    private final Dialect dialect;
    private final String prefix;
    private final JdbcStatements sql;

    private AdapterSql(JdbcTraceStorage storage) {
        this.dialect = storage.dialect();
        this.prefix = storage.tablePrefix();
        this.sql = new JdbcStatements(dialect, prefix);
    }

    /** The statements of {@code storage}'s dialect and table prefix. */
    public static AdapterSql of(JdbcTraceStorage storage) {
        return new AdapterSql(storage);
    }

    /** The quoted name of one of the adapter's tables ({@code traces}, {@code messages}). */
    public String table(String name) {
        return dialect.quote(prefix + name);
    }

    /** The one write to the trace row per batch: the count and the totals; bind it with {@link #bindIncrement}. */
    public String increment() {
        return sql.increment;
    }

    /**
     * Binds the increment's parameters from {@code p} on, as the adapter does: the count, the
     * totals added, {@code now}, the trace id; returns the next parameter's index.
     */
    public int bindIncrement(PreparedStatement ps, int p, long count, TraceTotals added, Instant now, long traceId)
            throws SQLException {
        return sql.bindIncrement(ps, p, count, added, null, now, traceId);
    }

    /**
     * The multi-row upsert of {@code rows} messages, a row of parameters per message, whatever
     * form the adapter picks for that many rows; binds each row's {@link #WRITTEN_MESSAGE_COLUMNS} in order.
     */
    public String upsertMessages(int rows) {
        return dialect.upsertMessages(table("messages"), rows);
    }

    /**
     * Whether the adapter binds an upsert of {@code rows} messages as one array per column
     * ({@link #upsertMessageArrays}) rather than as {@link #upsertMessages}.
     */
    public boolean bindsMessageArrays(int rows) {
        return dialect.bindsMessageArrays(rows);
    }

    /**
     * The upsert of any number of messages bound as arrays (PostgreSQL): binds the trace id, then
     * one array per column (external id, sequence, role, text, model and parts as {@code text[]},
     * sequence as {@code bigint[]}, created as ISO-8601 {@code text[]}).
     *
     * @throws UnsupportedOperationException on a dialect that binds no arrays
     */
    public String upsertMessageArrays() {
        return dialect.upsertMessageArrays(table("messages"));
    }

    /** Whether the adapter sends the increment and the first upsert as one statement ({@link #incrementAndUpsert}). */
    public boolean runsStatementsTogether() {
        return dialect.runsStatementsTogether();
    }

    /**
     * The increment and the first {@code rows} messages' upsert, guarded by the trace's
     * visibility, as one statement, in the form the adapter picks for that many rows; binds the
     * increment's parameters ({@link #bindIncrement}), the rows (as {@link #upsertMessages} or
     * {@link #upsertMessageArrays} does), then the trace id.
     */
    public String incrementAndUpsert(int rows) {
        return sql.incrementAndUpsert(rows, false);
    }

    /** The paging clause that ends a query; binds the row limit. */
    public String limit() {
        return dialect.limit();
    }

    public void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        dialect.setInstant(ps, index, instant);
    }

    public Instant getInstant(ResultSet rs, int column) throws SQLException {
        return dialect.getInstant(rs, column);
    }

    /** The isolation level of the adapter's write transactions, or -1 where it keeps the connection's. */
    public int writeIsolation() {
        return dialect.writeIsolation();
    }
}
