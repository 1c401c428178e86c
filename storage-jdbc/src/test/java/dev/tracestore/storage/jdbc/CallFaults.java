package dev.tracestore.storage.jdbc;

import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The checkpoint of an {@link InterceptingDataSource#everyCall} interceptor that fails the k-th
 * JDBC call from arming, once, with an {@link SQLException}; optionally every rollback after it
 * too, as when the connection is lost mid-transaction. Thread-safe.
 */
final class CallFaults implements InterceptingDataSource.Checkpoint {
    /** The SQLState of an injected fault: a system error, which the storage must not retry. */
    static final String SQL_STATE = "58000";

    private int countdown = -1;
    private boolean rollbacksToo;
    private String firedAt;
    private int rollbacksFailed;
    private final List<String> calls = new ArrayList<>();

    /** Arms: the {@code k}-th call from now fails, and with {@code rollbacksToo} every later rollback. */
    synchronized void failAt(int k, boolean rollbacksToo) {
        this.countdown = k;
        this.rollbacksToo = rollbacksToo;
        this.firedAt = null;
        this.rollbacksFailed = 0;
        calls.clear();
    }

    /** Records the calls from now on, failing none (a fault-free run). */
    synchronized void record() {
        failAt(-1, false);
    }

    synchronized void disarm() {
        countdown = -1;
        rollbacksToo = false;
    }

    /** The call that failed since arming, or null if none did. */
    synchronized String firedAt() {
        return firedAt;
    }

    /** The rollbacks failed since arming, after the armed call failed. */
    synchronized int rollbacksFailed() {
        return rollbacksFailed;
    }

    /** Every call reached since arming, in order, the failed ones included. */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    @Override
    public synchronized void reach(String call) throws SQLException {
        calls.add(call);
        if (firedAt != null && rollbacksToo && call.equals("Connection.rollback")) {
            rollbacksFailed++;
            throw new SQLException("fault injected by the test: rollback after a failed " + firedAt, SQL_STATE);
        }
        if (countdown > 0 && --countdown == 0) {
            firedAt = call;
            throw new SQLException("fault injected by the test at " + call, SQL_STATE);
        }
    }
}
