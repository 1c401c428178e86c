package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.testkit.NoContent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A batch whose text holds a marker fails on a Cassandra node in three ways: the server refuses
 * the consistency (Unavailable), the batch is over the storage's size limit, the session is
 * closed. The marker is in no message of the exception's chain, in no printed stack trace, and
 * in nothing the library logs meanwhile (slf4j-simple, to {@code System.err}, at INFO).
 */
class CassandraNoContentInErrorsTest {
    private static final String MARKER = "SECRET-MARKER-c4ss";

    @Test
    void failingBatchesCarryNoContent() {
        CqlSession session = TestCassandra.session();
        TraceStore store = TraceStore.builder()
                .storage(CassandraTraceStorage.builder(session).keyspace(TestCassandra.KEYSPACE).build()).build();
        long id = store.upsertTrace(TraceInput.of("nc", "t-" + System.nanoTime()).withTitle("title " + MARKER)).id();
        List<MessageInput> batch = List.of(MessageInput.of("a", 1, Role.USER, "the text holds " + MARKER));

        // One node, replication factor 1: consistency THREE cannot be met, and the server says so.
        TraceStore unavailable = TraceStore.builder().storage(CassandraTraceStorage.builder(session)
                .keyspace(TestCassandra.KEYSPACE).consistency(DefaultConsistencyLevel.THREE).build()).build();
        TraceStore small = TraceStore.builder().storage(CassandraTraceStorage.builder(session)
                .keyspace(TestCassandra.KEYSPACE).maxBatchBytes(1024).build()).build();
        List<MessageInput> large = List.of(MessageInput.of("b", 2, Role.USER, MARKER + "x".repeat(4096)));
        CqlSession closing = TestCassandra.connect();
        TraceStore closed = TraceStore.builder().storage(CassandraTraceStorage.builder(closing)
                .keyspace(TestCassandra.KEYSPACE).build()).build();
        closing.close();

        String logged = NoContent.logOutput(() -> {
            assertNoMarker(catchThrowable(() -> unavailable.upsertMessagesBatch(id, batch)), true);
            assertNoMarker(catchThrowable(() -> unavailable.upsertTrace(TraceInput.of("nc", "u").withTitle(MARKER))), true);
            assertNoMarker(catchThrowable(() -> small.upsertMessagesBatch(id, large)), false);
            assertNoMarker(catchThrowable(() -> closed.upsertMessagesBatch(id, batch)), false);
        });
        assertThat(logged).as("what the library logged while the batches failed").doesNotContain(MARKER);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).as("nothing written").isZero();
    }

    private static void assertNoMarker(Throwable thrown, boolean fromTheServer) {
        assertThat(thrown).isInstanceOfAny(StorageException.class, IllegalArgumentException.class, IllegalStateException.class);
        String printed = NoContent.assertNotIn(thrown, MARKER);
        if (fromTheServer) {
            assertThat(printed).as("the server's error is still named").contains("UnavailableException");
        }
    }
}
