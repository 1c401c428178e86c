package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A call that cannot get what it waits for (a connection, SQLite's one write slot) fails in bounded time, saying why. */
class WaitingTest {

    @Test
    @DisplayName("a pool timeout fails the call with a retryable StorageException that says no connection came")
    void poolTimeout_isNamedInTheMessage() throws Exception {
        HikariConfig config = Setup.H2_MEMORY.config("waiting" + UUID.randomUUID().toString().substring(0, 8));
        config.setMaximumPoolSize(1);
        config.setConnectionTimeout(250);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbcTraceStorage storage = JdbcTraceStorage.create(pool);
            storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            long trace = store.upsertTrace(TraceInput.of("ns", "s")).id();
            StorageException e;
            try (Connection onlyOne = pool.getConnection()) {
                assertThat(onlyOne.isValid(1)).isTrue();
                e = catchThrowableOfType(StorageException.class, () -> store.upsertMessagesBatch(trace,
                        List.of(MessageInput.of("m", 1, Role.USER, "x"))));
            }
            assertThat(e.getMessage()).startsWith("JDBC storage (h2): writing messages to trace " + trace
                    + " failed: no connection from the data source (SQLTransientConnectionException: ")
                    .contains("Connection is not available, request timed out after 2").endsWith("; nothing was written");
            assertThat(e.isRetryable()).isTrue();
            assertThat(store.getTrace(trace).orElseThrow().messageCount()).isZero();
        }
    }

    @Test
    @DisplayName("on SQLite, a writer queued behind this storage's other writers fails after writeLockTimeout, retryably")
    void sqliteWriteLock_waitsAtMostItsTimeout() throws Exception {
        try (TestDatabase db = Setup.SQLITE_FILE.open()) {
            CountDownLatch holding = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            Thread[] holder = new Thread[1];
            InterceptingDataSource stallsTheHolder = InterceptingDataSource.failing(sql -> {
                if (Thread.currentThread() == holder[0] && sql.equals("COMMIT")) {
                    holding.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            });
            JdbcTraceStorage storage = JdbcTraceStorage.builder(stallsTheHolder.wrap(db.pool)).tablePrefix(db.prefix)
                    .writeLockTimeout(Duration.ofMillis(200)).build();
            TraceStore store = TraceStore.builder().storage(storage).build();
            long trace = store.upsertTrace(TraceInput.of("ns", "s")).id();

            CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                holder[0] = Thread.currentThread();
                store.upsertMessagesBatch(trace, List.of(MessageInput.of("held", 1, Role.USER, "x")));
            });
            assertThat(holding.await(10, TimeUnit.SECONDS)).as("the first batch reached its commit").isTrue();
            CompletableFuture<Void> queued = CompletableFuture.runAsync(() ->
                    store.upsertMessagesBatch(trace, List.of(MessageInput.of("queued", 2, Role.USER, "y"))));
            Throwable failure;
            try {
                queued.get(10, TimeUnit.SECONDS); // far above the 200 ms bound: without it, this waits for release
                failure = null;
            } catch (ExecutionException e) {
                failure = e.getCause();
            } finally {
                release.countDown();
            }
            assertThat(failure).isInstanceOf(StorageException.class)
                    .hasMessage("JDBC storage (sqlite): writing messages to trace " + trace + " failed: the other writers"
                            + " of this storage held the database's one write slot for over 200 ms (writeLockTimeout);"
                            + " nothing was written, and the call may be retried");
            assertThat(((StorageException) failure).isRetryable()).isTrue();
            held.get(10, TimeUnit.SECONDS);
            assertThat(store.getTrace(trace).orElseThrow().messageCount()).isEqualTo(1);
            assertThat(store.listMessages(trace, null, 10).items()).extracting(m -> m.externalId()).containsExactly("held");
        }
    }
}
