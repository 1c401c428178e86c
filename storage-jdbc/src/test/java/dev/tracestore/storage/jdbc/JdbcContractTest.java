package dev.tracestore.storage.jdbc;

import dev.tracestore.spi.TraceStorage;
import dev.tracestore.testkit.FaultInjector;
import dev.tracestore.testkit.TraceStorageContract;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.TestInfo;

/**
 * The storage contract on one database {@link Setup}: each test class gets its own database
 * or table prefix (dropped afterwards), each test an emptied one. Faults are injected at every
 * statement execution and commit, through {@link InterceptingDataSource}.
 */
abstract class JdbcContractTest extends TraceStorageContract {
    private static final Map<Class<?>, TestDatabase> OPEN = new ConcurrentHashMap<>();

    /** The database this class runs the contract on. */
    abstract Setup setup();

    TestDatabase database() {
        return OPEN.computeIfAbsent(getClass(), k -> setup().open());
    }

    @Override
    protected TraceStorage createStorage(FaultInjector faults) {
        TestDatabase db = database();
        db.clear();
        return db.storage(InterceptingDataSource.over(faults::checkpoint));
    }

    @Override
    protected void forgetMessageCount(TraceStorage storage, long traceId) {
        database().execute("UPDATE " + database().table("traces") + " SET message_count = NULL WHERE id = " + traceId);
    }

    /** As version 1 left every trace when version 2 added the columns: all null. */
    @Override
    protected void forgetTotals(TraceStorage storage, long traceId) {
        database().execute("UPDATE " + database().table("traces") + " SET tool_call_count = NULL, input_tokens = NULL,"
                + " output_tokens = NULL, cache_read_tokens = NULL, cache_write_tokens = NULL, last_message_at = NULL"
                + " WHERE id = " + traceId);
    }

    @Override
    protected long storedMessages(TraceStorage storage, long traceId) {
        return database().queryLong("SELECT COUNT(*) FROM " + database().table("messages") + " WHERE trace_id = " + traceId);
    }

    @Override
    protected long retriedTransactions(TraceStorage storage) {
        return ((JdbcTraceStorage) storage).retriedTransactions();
    }

    @AfterAll
    static void dropDatabase(TestInfo info) {
        TestDatabase db = OPEN.remove(info.getTestClass().orElseThrow());
        if (db != null) {
            db.close();
        }
    }
}
