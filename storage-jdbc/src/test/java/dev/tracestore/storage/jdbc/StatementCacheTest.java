package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.testkit.TraceStorageContract;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SQLite's kept statements ({@link StatementCache}), seen through every JDBC call the storage
 * makes: a batch compiles only what no earlier batch on its connection compiled, a failure
 * closes what it used, and no more than the dialect's number of texts stay open.
 */
class StatementCacheTest {
    private static final String PREPARE = "Connection.prepareStatement";
    private static final String CLOSE = "PreparedStatement.close";

    private static TestDatabase db;
    private final CallFaults calls = new CallFaults();
    private TraceStore store;
    private long traceId;

    @BeforeAll
    static void open() {
        db = Setup.SQLITE_FILE.open();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    @BeforeEach
    void emptyStore() {
        db.clear();
        store = TraceStore.builder().storage(db.storage(InterceptingDataSource.everyCall(calls))).build();
        traceId = store.upsertTrace(TraceInput.of("ns", "t")).id();
    }

    private static List<MessageInput> messages(String prefix, int n) {
        List<MessageInput> list = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            list.add(MessageInput.of(prefix + "-" + i, i, Role.USER, prefix + " " + i));
        }
        return list;
    }

    /** Sends a batch of {@code n} messages, returning the JDBC calls it made. */
    private List<String> batch(String prefix, int n) {
        calls.record();
        store.upsertMessagesBatch(traceId, messages(prefix, n));
        return calls.calls();
    }

    private static long times(List<String> calls, String call) {
        return calls.stream().filter(call::equals).count();
    }

    @Test
    void aBatchCompilesOnlyTheIncrement_whenItsUpsertWasCompiledBefore() {
        assertThat(times(batch("a", 5), PREPARE)).as("a first batch: the increment and the upsert").isEqualTo(2);
        List<String> second = batch("b", 5);
        assertThat(times(second, PREPARE)).as("the same size again: the increment only").isEqualTo(1);
        assertThat(times(second, CLOSE)).as("the increment's statement, the kept upsert stays open").isEqualTo(1);
        assertThat(times(batch("c", 6), PREPARE)).as("another size").isEqualTo(2);

        assertThat(store.getTrace(traceId).orElseThrow().messageCount()).isEqualTo(16);
        assertThat(TraceStorageContract.allMessages(store, traceId)).hasSize(16)
                .filteredOn(m -> m.externalId().startsWith("b-")).extracting(m -> m.text())
                .containsExactly("b 0", "b 1", "b 2", "b 3", "b 4");
    }

    @Test
    void aFailedBatchClosesTheKeptUpsert_andTheNextCompilesItAgain() {
        batch("a", 5);
        List<String> warm = batch("b", 5);
        int upsert = warm.lastIndexOf("PreparedStatement.executeUpdate");
        assertThat(upsert).as("the kept upsert runs").isNotNegative();

        calls.failAt(upsert + 1, false);
        Throwable thrown = catchThrowable(() -> store.upsertMessagesBatch(traceId, messages("c", 5)));
        List<String> failed = calls.calls();
        calls.disarm();
        assertThat(thrown).isInstanceOf(StorageException.class);
        assertThat(times(failed, CLOSE)).as("the increment's statement and the kept upsert").isEqualTo(2);
        assertThat(store.getTrace(traceId).orElseThrow().messageCount()).as("nothing of the failed batch").isEqualTo(10);

        assertThat(times(batch("c", 5), PREPARE)).as("the upsert compiled anew").isEqualTo(2);
        assertThat(store.getTrace(traceId).orElseThrow().messageCount()).isEqualTo(15);
        assertThat(TraceStorageContract.allMessages(store, traceId)).hasSize(15);
    }

    @Test
    void theLeastRecentlyUsedText_isClosedBeyondTheDialectsNumber() {
        int kept = Dialect.sqlite().statementsKept();
        for (int n = 1; n <= kept; n++) {
            assertThat(times(batch("k" + n, n), CLOSE)).as("batch of %d: only the increment's statement", n).isEqualTo(1);
        }
        assertThat(times(batch("over", kept + 1), CLOSE)).as("one text too many: the oldest closed").isEqualTo(2);
        assertThat(times(batch("again", kept), PREPARE)).as("the newest is still kept").isEqualTo(1);
        assertThat(times(batch("first", 1), PREPARE)).as("the oldest was closed").isEqualTo(2);
    }
}
