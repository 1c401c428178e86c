package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.tracestore.DeletionSummary;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreException;
import dev.tracestore.testkit.TraceStorageContract;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Fails the k-th JDBC call of each operation, for every k up to the number of calls it makes,
 * on every database setup: the call fails with a {@link TraceStoreException}, and afterwards a
 * batch is all or nothing, a deletion is not started, resumable or done, no message is left
 * without its trace, no connection is left borrowed, and the store keeps working.
 */
class FaultInjectionTest {
    private static final Map<Setup, TestDatabase> OPEN = new EnumMap<>(Setup.class);
    private static final int CHUNK = 7;

    private TestDatabase db;
    private final CallFaults faults = new CallFaults();
    private TraceStore store;

    /** What one operation does, and what may be true after it failed (or succeeded). */
    private interface Scenario {
        /** Writes the starting state into the emptied database; returns the trace the operation acts on. */
        long arrange();

        void act(long traceId);

        /** Checks the state after the operation; {@code failed} tells whether it threw. */
        void verify(long traceId, boolean failed);
    }

    private void open(Setup setup) {
        if (setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        db = OPEN.computeIfAbsent(setup, Setup::open);
        store = newStore();
    }

    /**
     * A store over the faulty connections, with a statement cache of its own: each run starts
     * with none kept (on SQLite), so that every run makes the fault-free run's calls.
     */
    private TraceStore newStore() {
        return TraceStore.builder()
                .storage(db.storage(InterceptingDataSource.everyCall(faults)))
                .clock(Clock.fixed(Instant.parse("2026-11-29T08:00:00.123456Z"), ZoneOffset.UTC))
                .deletionChunkSize(CHUNK)
                .build();
    }

    @AfterAll
    static void dropDatabases() {
        OPEN.values().forEach(TestDatabase::close);
        OPEN.clear();
    }

    /**
     * Calls made once the outcome is decided: restoring a connection's settings after its commit
     * or rollback, and closing it. Their failure changes no outcome, and is not reported as one.
     */
    private static final Set<String> AFTER_THE_OUTCOME = Set.of("Connection.setAutoCommit",
            "Connection.setTransactionIsolation", "Connection.abort", "Connection.close");

    /**
     * Runs the scenario once without faults, recording its calls, then once for every position
     * of that run, failing the call there, and on until a run makes fewer calls than the
     * position: every call of the fault-free run is failed once. The fault-free run must
     * include statement executions and a commit, and the kinds of call in {@code mustInclude}
     * (such as {@code "ResultSet.next"}); some failure must have been met with a rollback, and
     * with {@code rollbacksToo} that rollback must have failed.
     */
    private void everyCall(Scenario scenario, boolean rollbacksToo, String... mustInclude) {
        db.clear();
        long first = scenario.arrange();
        store = newStore();
        faults.record();
        scenario.act(first);
        List<String> faultFree = faults.calls();
        faults.disarm();
        scenario.verify(first, false);
        assertThat(faultFree).as("the calls of a fault-free run")
                .anySatisfy(call -> assertThat(call).contains(".execute"))
                .contains("Connection.commit")
                .containsAll(List.of(mustInclude));

        int rolledBack = 0;
        int rollbacksFailed = 0;
        int k = 1;
        while (true) {
            db.clear();
            long traceId = scenario.arrange();
            store = newStore();
            faults.failAt(k, rollbacksToo);
            Throwable thrown = catchThrowable(() -> scenario.act(traceId));
            String firedAt = faults.firedAt();
            List<String> calls = faults.calls();
            rollbacksFailed += faults.rollbacksFailed();
            faults.disarm();
            String at = "failing call " + k + " (" + firedAt + ")";
            if (firedAt == null) {
                assertThat(k).as("position %d of the fault-free run's %d calls (%s) was never failed", k,
                        faultFree.size(), k <= faultFree.size() ? faultFree.get(k - 1) : "")
                        .isGreaterThan(faultFree.size());
                assertThat(thrown).as("no call failed, so the operation succeeds").isNull();
                scenario.verify(traceId, false);
                break;
            }
            if (calls.subList(k - 1, calls.size()).contains("Connection.rollback")) { // from the failed call on
                rolledBack++;
            }
            if (thrown == null) {
                // The failing call came after the outcome was decided. The operation stands, and
                // the connection is discarded rather than returned to the pool in an unknown state.
                assertThat(firedAt).as(at).isIn(AFTER_THE_OUTCOME);
                scenario.verify(traceId, false);
                assertThat(db.borrowedConnections()).as("%s: connections left borrowed", at).isZero();
                k++;
                continue;
            }
            assertThat(thrown).as(at).isInstanceOf(TraceStoreException.class);
            assertThat(Stream.iterate(thrown, e -> e != null, Throwable::getCause)).as("%s: the cause", at)
                    // The injected fault: as it is when no connection was had, else scrubbed of its message.
                    .anySatisfy(e -> assertThat(e).isInstanceOf(SQLException.class)
                            .extracting(x -> ((SQLException) x).getSQLState()).isEqualTo("58000"));
            try {
                scenario.verify(traceId, true);
            } catch (AssertionError e) {
                throw new AssertionError("after " + at + ": " + e.getMessage(), e);
            }
            assertThat(db.borrowedConnections()).as("%s: connections left borrowed", at).isZero();
            k++;
        }
        assertThat(rolledBack).as("failures met with a rollback").isPositive();
        if (rollbacksToo) {
            assertThat(rollbacksFailed).as("rollbacks that failed after the injected fault").isPositive();
        }
    }

    private long trace(String externalId, int messages) {
        long id = store.upsertTrace(TraceInput.of("ns", externalId)).id();
        if (messages > 0) {
            store.upsertMessagesBatch(id, messages("m", 0, messages, "text"));
        }
        return id;
    }

    private static List<MessageInput> messages(String prefix, int from, int n, String text) {
        List<MessageInput> list = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            list.add(MessageInput.of(prefix + "-" + i, i, Role.USER, text + " " + i));
        }
        return list;
    }

    private List<Message> rows(long traceId) {
        return TraceStorageContract.allMessages(store, traceId);
    }

    private long count(long traceId) {
        return store.getTrace(traceId).orElseThrow().messageCount();
    }

    private Long storedCount(long traceId) {
        return db.queryLong("SELECT message_count FROM " + db.table("traces") + " WHERE id = " + traceId);
    }

    private long rowsOfTrace(String table, String column, long traceId) {
        return db.queryLong("SELECT COUNT(*) FROM " + db.table(table) + " WHERE " + column + " = " + traceId);
    }

    /** A batch that re-sends 2 of the 3 stored messages with new text and adds 2: all or nothing. */
    private Scenario batch(List<Message> before) {
        return new Scenario() {
            public long arrange() {
                long id = trace("t", 3);
                before.clear();
                before.addAll(rows(id));
                return id;
            }

            public void act(long id) {
                store.upsertMessagesBatch(id, messages("m", 1, 4, "changed"));
            }

            public void verify(long id, boolean failed) {
                // A call reported failed has written nothing, so a caller's retry counts the batch once.
                long count = count(id);
                List<Message> rows = rows(id);
                if (failed) {
                    assertThat(count).as("count after a failed batch").isEqualTo(3);
                    assertThat(rows).as("rows after a failed batch").isEqualTo(before);
                } else {
                    assertThat(count).as("count of a batch that happened").isEqualTo(3 + 4);
                    assertThat(rows).extracting(Message::text)
                            .containsExactly("text 0", "changed 1", "changed 2", "changed 3", "changed 4");
                }
            }
        };
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void batchUpsert_isAllOrNothing_atEveryFailingCall(Setup setup) {
        open(setup);
        everyCall(batch(new ArrayList<>()), false);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void batchUpsert_isAllOrNothing_whenTheRollbackFailsToo(Setup setup) {
        open(setup);
        everyCall(batch(new ArrayList<>()), true);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void singleUpsert_isAllOrNothing_atEveryFailingCall(Setup setup) {
        open(setup);
        everyCall(new Scenario() {
            public long arrange() {
                return trace("t", 3);
            }

            public void act(long id) {
                store.upsertMessage(id, MessageInput.of("m-3", 3, Role.USER, "new"));
            }

            public void verify(long id, boolean failed) {
                assertThat(count(id)).isEqualTo(failed ? 3 : 4);
                assertThat(rows(id)).hasSize(failed ? 3 : 4);
            }
        }, false);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void recount_setsTheExactCountOrNothing_atEveryFailingCall(Setup setup) {
        open(setup);
        everyCall(new Scenario() {
            public long arrange() {
                long id = trace("t", 3);
                store.upsertMessagesBatch(id, messages("m", 0, 2, "again")); // drift: count 5, rows 3
                return id;
            }

            public void act(long id) {
                store.recalculateMessageCount(id);
            }

            public void verify(long id, boolean failed) {
                assertThat(rows(id)).hasSize(3);
                assertThat(count(id)).as("a failed recount leaves the old count").isEqualTo(failed ? 5 : 3);
            }
        }, false, "ResultSet.next");
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void backfill_leavesEachCountUnknownOrExact_atEveryFailingCall(Setup setup) {
        open(setup);
        long[] other = new long[1];
        everyCall(new Scenario() {
            public long arrange() {
                long id = trace("t", 3);
                other[0] = trace("u", 2);
                for (long t : new long[] {id, other[0]}) {
                    db.execute("UPDATE " + db.table("traces") + " SET message_count = NULL WHERE id = " + t);
                }
                return id;
            }

            public void act(long id) {
                store.backfillMessageCounts(1);
            }

            public void verify(long id, boolean failed) {
                for (long[] expected : new long[][] {{id, 3}, {other[0], 2}}) {
                    Long stored = storedCount(expected[0]);
                    if (!failed || stored != null) {
                        assertThat(stored).as("count of trace %d", expected[0]).isEqualTo(expected[1]);
                    }
                    assertThat(count(expected[0])).as("count shown for trace %d", expected[0]).isEqualTo(expected[1]);
                }
                assertThat(store.backfillMessageCounts(10).tracesFixed()).isLessThanOrEqualTo(2);
                assertThat(storedCount(id)).isEqualTo(3);
                assertThat(storedCount(other[0])).isEqualTo(2);
            }
        }, false, "ResultSet.next");
    }

    /** A deletion that failed is not started (all there), or resumable (then resumeDeletions finishes it), or done. */
    private void verifyDeletion(long id, long kept, boolean failed) {
        boolean visible = store.getTrace(id).isPresent();
        if (failed && visible) {
            assertThat(count(id)).as("a deletion not started").isEqualTo(20);
            assertThat(rows(id)).hasSize(20);
        } else {
            if (failed && rowsOfTrace("traces", "id", id) > 0) {
                assertThat(store.resumeDeletions().tracesDeleted()).as("a resumable deletion is resumed").isEqualTo(1);
            }
            assertThat(rowsOfTrace("traces", "id", id)).as("trace row").isZero();
            assertThat(rowsOfTrace("messages", "trace_id", id)).as("messages").isZero();
        }
        assertThat(count(kept)).as("another trace").isEqualTo(2);
        assertThat(rows(kept)).hasSize(2);
        assertThat(store.resumeDeletions()).isEqualTo(new DeletionSummary(0, 0));
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void delete_isNotStartedResumableOrDone_atEveryFailingCall(Setup setup) {
        open(setup);
        long[] kept = new long[1];
        everyCall(new Scenario() {
            public long arrange() {
                kept[0] = trace("kept", 2);
                return trace("t", 20);
            }

            public void act(long id) {
                store.deleteTrace(id);
            }

            public void verify(long id, boolean failed) {
                verifyDeletion(id, kept[0], failed);
            }
        }, false);
    }

    @ParameterizedTest
    @EnumSource(Setup.class)
    void resume_leavesTheDeletionResumableOrDone_atEveryFailingCall(Setup setup) {
        open(setup);
        long[] kept = new long[1];
        everyCall(new Scenario() {
            public long arrange() {
                kept[0] = trace("kept", 2);
                long id = trace("t", 20);
                // A process that died after tombstoning and one chunk, bypassing the faults:
                JdbcTraceStorage direct = JdbcTraceStorage.builder(db.pool).tablePrefix(db.prefix).build();
                direct.markDeleting(id);
                direct.deleteMessages(id, CHUNK);
                return id;
            }

            public void act(long id) {
                store.resumeDeletions();
            }

            public void verify(long id, boolean failed) {
                assertThat(store.getTrace(id)).as("a trace being deleted is hidden").isEmpty();
                verifyDeletion(id, kept[0], failed);
            }
        }, false, "ResultSet.next");
    }
}
