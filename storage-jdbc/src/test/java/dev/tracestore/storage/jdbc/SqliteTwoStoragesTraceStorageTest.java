package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.testkit.FaultInjector;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The whole storage contract on one SQLite file shared by two storages, each with a pool of its
 * own, every call going to one or the other in turn. The adapter queues one JVM's writers behind
 * one lock per storage, so on a single storage the kit's concurrent tests never have two
 * transactions in the database at once; here they do, as a service and a sync command writing
 * the same file would, and SQLite's own locking (WAL, {@code busy_timeout}) must keep every
 * property. The kit's check that no transaction was retried covers both storages.
 */
class SqliteTwoStoragesTraceStorageTest extends JdbcContractTest {
    private JdbcTraceStorage first;
    private JdbcTraceStorage second;
    private HikariDataSource secondPool;

    @Override
    Setup setup() {
        return Setup.SQLITE_FILE;
    }

    @Override
    protected TraceStorage createStorage(FaultInjector faults) {
        first = (JdbcTraceStorage) super.createStorage(faults);
        TestDatabase db = database();
        secondPool = new HikariDataSource(secondConfig(db));
        second = JdbcTraceStorage.builder(InterceptingDataSource.over(faults::checkpoint).wrap(secondPool))
                .tablePrefix(db.prefix).build();
        AtomicLong calls = new AtomicLong();
        return (TraceStorage) Proxy.newProxyInstance(TraceStorage.class.getClassLoader(),
                new Class<?>[] {TraceStorage.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return method.invoke(first, args);
                    }
                    JdbcTraceStorage target = calls.getAndIncrement() % 2 == 0 ? first : second;
                    try {
                        return method.invoke(target, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /**
     * A deletion chunk held between its first statement and its DELETE while the other storage
     * commits a write: the chunk must have taken the write lock with its first statement, so the
     * other write waits for it and neither is retried. Had the chunk begun with a read, its
     * DELETE would meet a snapshot written past, which SQLite fails with SQLITE_BUSY at once.
     */
    @Test
    void aDeletionChunkTakesTheWriteLockFirst() throws Exception {
        TestDatabase db = database();
        db.clear();
        FaultInjector checkpoints = new FaultInjector();
        JdbcTraceStorage deleter = JdbcTraceStorage.builder(InterceptingDataSource.over(checkpoints::checkpoint)
                .wrap(db.pool)).tablePrefix(db.prefix).build();
        try (HikariDataSource otherPool = new HikariDataSource(secondConfig(db))) {
            JdbcTraceStorage writer = JdbcTraceStorage.builder(otherPool).tablePrefix(db.prefix).build();
            TraceStore store = TraceStore.builder().storage(writer).build();
            long doomed = store.upsertTrace(TraceInput.of(NS, "doomed")).id();
            long other = store.upsertTrace(TraceInput.of(NS, "other")).id();
            store.upsertMessagesBatch(doomed, messages("m", 0, 10));
            assertThat(deleter.markDeleting(doomed)).isTrue();

            // A chunk's checkpoints: its first statement, its DELETE, its commit.
            FaultInjector.Stall stall = checkpoints.stallAt(2);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                Future<Integer> chunk = pool.submit(() -> deleter.deleteMessages(doomed, 4));
                assertThat(stall.awaitHeld(Duration.ofSeconds(30))).as("the chunk reached its DELETE").isTrue();
                Future<?> write = pool.submit(() -> store.upsertMessagesBatch(other, messages("n", 0, 3)));
                Thread.sleep(500); // the write's time to commit past the chunk's snapshot, were it a reader's
                stall.release();
                assertThat(chunk.get(30, TimeUnit.SECONDS)).isEqualTo(4);
                write.get(30, TimeUnit.SECONDS);
            } finally {
                stall.release();
                pool.shutdownNow();
            }
            assertThat(deleter.retriedTransactions() + writer.retriedTransactions()).as("transactions retried").isZero();
            assertThat(store.getTrace(other).orElseThrow().messageCount()).isEqualTo(3);
        }
    }

    private static HikariConfig secondConfig(TestDatabase db) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.pool.getJdbcUrl());
        config.setMaximumPoolSize(db.pool.getMaximumPoolSize());
        config.setPoolName(db.pool.getPoolName() + "-second");
        return config;
    }

    @Override
    protected long retriedTransactions(TraceStorage storage) {
        return first.retriedTransactions() + second.retriedTransactions();
    }

    @Override
    protected void closeStorage(TraceStorage storage) {
        secondPool.close();
    }
}
