package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which failures the storage runs a transaction again for, and which it surfaces at once. */
class RetryTest {
    private static TestDatabase db;

    @BeforeAll
    static void open() {
        db = Setup.H2_MEMORY.open();
    }

    @AfterAll
    static void close() {
        db.close();
    }

    /** A store whose message upserts fail with {@code failure} the first {@code times} times. */
    private static TraceStore store(SQLException failure, int times, AtomicInteger attempts) {
        InterceptingDataSource interceptor = InterceptingDataSource.failing(sql -> {
            if (sql.startsWith("MERGE") && attempts.incrementAndGet() <= times) {
                throw failure;
            }
        });
        return TraceStore.builder().storage(db.storage(interceptor)).build();
    }

    @Test
    @DisplayName("a batch that hits a deadlock runs again, and its increment lands exactly once")
    void deadlockRetried() {
        AtomicInteger attempts = new AtomicInteger();
        TraceStore store = store(new SQLException("deadlock detected", "40P01"), 2, attempts);
        long id = store.upsertTrace(TraceInput.of("retry", "deadlock")).id();

        store.upsertMessagesBatch(id, List.of(MessageInput.of("a", 1, Role.USER, "x"), MessageInput.of("b", 2, Role.USER, "y")));

        assertThat(attempts).hasValue(3);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(2);
        assertThat(store.listMessages(id, null, 10).items()).hasSize(2);
    }

    @Test
    @DisplayName("a batch that keeps failing gives up after maxAttempts, naming the operation, with nothing written")
    void givesUp() {
        AtomicInteger attempts = new AtomicInteger();
        TraceStore store = store(new SQLException("could not serialize access", "40001"), Integer.MAX_VALUE, attempts);
        long id = store.upsertTrace(TraceInput.of("retry", "gives-up")).id();

        assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("secret-id", 1, Role.USER, "secret text")))
                .isInstanceOf(StorageException.class).hasCauseInstanceOf(SQLException.class)
                .hasMessageContaining("writing messages to trace " + id).hasMessageContaining("after 8 attempts")
                .hasMessageNotContaining("secret text");
        assertThat(attempts).hasValue(8);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isZero();
    }

    @Test
    @DisplayName("any other failure surfaces at once as a StorageException wrapping the SQLException, its message withheld")
    void otherErrorsNotRetried() {
        AtomicInteger attempts = new AtomicInteger();
        SQLException broken = new SQLException("connection reset", "08006");
        TraceStore store = store(broken, Integer.MAX_VALUE, attempts);
        long id = store.upsertTrace(TraceInput.of("retry", "other")).id();

        assertThatThrownBy(() -> store.upsertMessage(id, MessageInput.of("a", 1, Role.USER, "x")))
                .isInstanceOf(StorageException.class).hasMessageContaining("SQLState 08006")
                .cause().isInstanceOf(SQLException.class).hasMessageNotContaining("connection reset")
                .hasMessageContaining("SQLState 08006").satisfies(c -> assertThat(c.getStackTrace()).isEqualTo(broken.getStackTrace()));
        assertThat(attempts).hasValue(1);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isZero();
    }

    @Test
    @DisplayName("each dialect retries its own deadlock and serialization errors, and nothing else")
    void retryableErrorsPerDialect() {
        SQLException serialization = new SQLException("x", "40001");
        SQLException pgDeadlock = new SQLException("x", "40P01");
        SQLException mysqlDeadlock = new SQLException("x", "40001", 1213);
        SQLException mysqlLockWait = new SQLException("x", "HY000", 1205);
        SQLException sqliteBusy = new SQLException("[SQLITE_BUSY]", null, 5);
        SQLException sqliteBusySnapshot = new SQLException("[SQLITE_BUSY_SNAPSHOT]", null, 517);
        SQLException sqliteLocked = new SQLException("[SQLITE_LOCKED]", null, 6);
        SQLException unique = new SQLException("x", "23505");

        assertThat(Dialect.postgresql().isRetryable(serialization)).isTrue();
        assertThat(Dialect.postgresql().isRetryable(pgDeadlock)).isTrue();
        assertThat(Dialect.postgresql().isRetryable(unique)).isFalse();
        // 40002 fails again; after 40003 the batch may have committed, and a retry could count it twice.
        assertThat(Dialect.postgresql().isRetryable(new SQLException("x", "40002"))).isFalse();
        assertThat(Dialect.postgresql().isRetryable(new SQLException("x", "40003"))).isFalse();
        assertThat(Dialect.mysql().isRetryable(mysqlDeadlock)).isTrue();
        assertThat(Dialect.mysql().isRetryable(mysqlLockWait)).isTrue();
        assertThat(Dialect.mysql().isRetryable(new SQLException("x", "23000", 1062))).isFalse();
        assertThat(Dialect.h2().isRetryable(serialization)).isTrue();
        assertThat(Dialect.h2().isRetryable(new SQLException("x", "HYT00", 50200))).isTrue();
        assertThat(Dialect.sqlite().isRetryable(sqliteBusy)).isTrue();
        assertThat(Dialect.sqlite().isRetryable(sqliteBusySnapshot)).isTrue();
        assertThat(Dialect.sqlite().isRetryable(sqliteLocked)).isTrue();
        assertThat(Dialect.sqlite().isRetryable(new SQLException("[SQLITE_CONSTRAINT]", null, 19))).isFalse();
    }
}
