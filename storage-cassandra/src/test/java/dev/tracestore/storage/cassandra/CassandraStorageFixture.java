package dev.tracestore.storage.cassandra;


import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the Cassandra storage's own tests share: a session on the test node, a storage and store
 * over any session, threads joined after each test, and a {@link Gate} that holds a chosen
 * statement before it is sent, for exact interleavings.
 */
abstract class CassandraStorageFixture {
    static final String KS = TestCassandra.KEYSPACE;
    static final String NS = "team-42";
    static final Duration WAIT = Duration.ofSeconds(30);

    final CqlSession session = TestCassandra.session();
    final List<Thread> threads = new ArrayList<>();

    @BeforeEach
    void clear() {
        TestCassandra.clear();
    }

    @AfterEach
    void joinThreads() throws InterruptedException {
        for (Thread t : threads) {
            t.join(WAIT.toMillis());
        }
    }

    TraceStore store(CassandraTraceStorage storage) {
        return TraceStore.builder().storage(storage).build();
    }

    CassandraTraceStorage storage(CqlSession over) {
        return CassandraTraceStorage.create(over, KS);
    }

    static List<MessageInput> messages(String prefix, int from, int n) {
        List<MessageInput> list = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            list.add(MessageInput.of(prefix + "-" + i, i, Role.USER, "text " + i));
        }
        return list;
    }

    long rowsIn(String table, long traceId) {
        return session.execute("SELECT COUNT(*) FROM " + KS + "." + table + " WHERE "
                + (table.equals("traces") ? "id" : "trace_id") + " = ?", traceId).one().getLong(0);
    }

    static void eventually(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            Thread.sleep(20);
        }
    }

    /** Runs {@code body} on a new thread, which {@link #joinThreads} waits for. */
    <T> CompletableFuture<T> inThread(java.util.concurrent.Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        });
        threads.add(t);
        t.start();
        return result;
    }

    /**
     * A session whose statements matching {@code stop}, on the given thread, wait at a gate
     * before they are sent; {@link Gate#reached} opens when one does.
     */
    static final class Gate {
        final CountDownLatch reached = new CountDownLatch(1);
        final CountDownLatch open = new CountDownLatch(1);

        CqlSession over(CqlSession target, Predicate<Statement<?>> stop, Thread on) {
            return InterceptingSession.over(target, (statement, executed) -> {
                if (!executed && Thread.currentThread() == on && stop.test(statement) && open.getCount() > 0) {
                    reached.countDown();
                    await(open);
                }
            });
        }

        void awaitReached() {
            await(reached);
        }
    }

    static void await(CountDownLatch latch) {
        try {
            if (!latch.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                throw new AssertionError("a gate was never reached or opened");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
