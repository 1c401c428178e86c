package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.tracestore.StorageException;
import dev.tracestore.storage.cassandra.LightweightTransactions.Attempt;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The one loop that settles lightweight transactions, on a scripted session: each call of
 * {@code execute} takes the next answer, a row or a failure. No Cassandra node is needed.
 */
@DisplayName("The lightweight-transaction loop")
class LightweightTransactionsTest {
    private static final SimpleStatement TRANSACTION = SimpleStatement.newInstance("UPDATE t SET x = 1 IF x = 0");
    private static final SimpleStatement SETTLING_READ = SimpleStatement.newInstance("SELECT x FROM t");
    private static final String GIVE_UP = "it stayed undecided";
    /** An answer with no row, as a serial read of an absent key gives. */
    private static final Object NO_ROW = new Object();

    private final Row applied = row("applied");
    private final Row other = row("other");
    private final Deque<Object> answers = new ArrayDeque<>();
    private final List<String> ran = new ArrayList<>();
    private final LightweightTransactions transactions = new LightweightTransactions(scripted());

    private static Row row(String name) {
        return (Row) Proxy.newProxyInstance(Row.class.getClassLoader(), new Class<?>[] {Row.class},
                (proxy, method, args) -> method.getName().equals("toString") ? name : null);
    }

    private CqlSession scripted() {
        return (CqlSession) Proxy.newProxyInstance(CqlSession.class.getClassLoader(), new Class<?>[] {CqlSession.class},
                (proxy, method, args) -> {
                    if (!method.getName().equals("execute") || args.length != 1 || !(args[0] instanceof Statement)) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    ran.add(((SimpleStatement) args[0]).getQuery());
                    Object next = answers.isEmpty() ? timeout() : answers.poll();
                    if (next instanceof RuntimeException e) {
                        throw e;
                    }
                    Object answer = next == NO_ROW ? null : next;
                    return Proxy.newProxyInstance(ResultSet.class.getClassLoader(), new Class<?>[] {ResultSet.class},
                            (rs, m, a) -> m.getName().equals("one") ? answer : null);
                });
    }

    private void answer(Object... script) {
        answers.addAll(List.of(script));
    }

    private static DriverTimeoutException timeout() {
        return new DriverTimeoutException("timed out");
    }

    /** Decides "yes" on the applied row, "no" on the other one. */
    private Attempt<String> settledByRead() {
        return new Attempt<>(() -> TRANSACTION, r -> r == applied ? "yes" : "no",
                () -> SETTLING_READ, r -> r == null ? null : r == applied ? "read yes" : "read no");
    }

    @Test
    @DisplayName("returns what the first answer decides, running the transaction once")
    void firstAnswer() {
        answer(applied);
        assertThat(transactions.decide("op", GIVE_UP, settledByRead())).isEqualTo("yes");
        assertThat(ran).containsExactly(TRANSACTION.getQuery());
    }

    @Test
    @DisplayName("settles an unknown outcome by the serial read, without trying the transaction again")
    void settledByTheRead() {
        answer(timeout(), other);
        assertThat(transactions.decide("op", GIVE_UP, settledByRead())).isEqualTo("read no");
        assertThat(ran).containsExactly(TRANSACTION.getQuery(), SETTLING_READ.getQuery());
    }

    @Test
    @DisplayName("tries the transaction again when the settling read finds nothing or times out too")
    void readUndecided() {
        answer(timeout(), NO_ROW, timeout(), timeout(), applied);
        assertThat(transactions.decide("op", GIVE_UP, settledByRead())).isEqualTo("yes");
        assertThat(ran).containsExactly(TRANSACTION.getQuery(), SETTLING_READ.getQuery(), TRANSACTION.getQuery(),
                SETTLING_READ.getQuery(), TRANSACTION.getQuery());
    }

    @Test
    @DisplayName("tries again, without a read, when an answer decides nothing or an attempt has no settling read")
    void answerUndecided() {
        answer(other, timeout(), applied);
        Attempt<String> attempt = Attempt.retried(() -> TRANSACTION, r -> r == applied ? "yes" : null);
        assertThat(transactions.decide("op", GIVE_UP, attempt)).isEqualTo("yes");
        assertThat(ran).containsExactly(TRANSACTION.getQuery(), TRANSACTION.getQuery(), TRANSACTION.getQuery());
    }

    @Test
    @DisplayName("gives up after 20 unknown outcomes, naming the operation")
    void givesUp() {
        assertThatThrownBy(() -> transactions.decide("claiming x", GIVE_UP, settledByRead()))
                .isInstanceOf(StorageException.class)
                .hasMessage("Cassandra storage: claiming x: it stayed undecided");
        assertThat(ran).hasSize(2 * LightweightTransactions.ATTEMPTS);
        assertThat(LightweightTransactions.ATTEMPTS).isEqualTo(20);
    }

    @Test
    @DisplayName("stops at once on a driver failure that is not a timeout, keeping it as the cause")
    void otherFailure() {
        InjectedDriverFault fault = new InjectedDriverFault(false, null);
        answer(fault);
        assertThatThrownBy(() -> transactions.decide("claiming x", GIVE_UP, settledByRead()))
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("Cassandra storage: claiming x failed: InjectedDriverFault")
                .hasCause(fault);
        assertThat(ran).hasSize(1);
    }
}
