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
 * Calls whose text holds a marker fail on a Cassandra node in four ways: the server refuses the
 * batch's own statement (a mutation over the node's size limit, sent with the storage's limit
 * raised), the server refuses the consistency (Unavailable, at the call's first statement, a
 * read), the batch is over the storage's size limit, the session is closed. The marker is in no
 * message of the exception's chain, in no printed stack trace, and in nothing the library logs
 * meanwhile (slf4j-simple, to {@code System.err}, at INFO).
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

        // The storage's own limit raised past the node's: the server refuses the mutation that carries the text.
        TraceStore oversized = TraceStore.builder().maxTextLength(40 << 20).storage(CassandraTraceStorage.builder(session)
                .keyspace(TestCassandra.KEYSPACE).maxBatchBytes(64 << 20).build()).build();
        List<MessageInput> huge = List.of(MessageInput.of("c", 3, Role.USER, MARKER + "y".repeat(24 << 20)));

        String logged = NoContent.logOutput(() -> {
            assertNoMarker(catchThrowable(() -> oversized.upsertMessagesBatch(id, huge)), "InvalidQueryException");
            assertNoMarker(catchThrowable(() -> unavailable.upsertMessagesBatch(id, batch)), "UnavailableException");
            assertNoMarker(catchThrowable(() -> unavailable.upsertTrace(TraceInput.of("nc", "u").withTitle(MARKER))),
                    "UnavailableException");
            assertNoMarker(catchThrowable(() -> small.upsertMessagesBatch(id, large)), null);
            assertNoMarker(catchThrowable(() -> closed.upsertMessagesBatch(id, batch)), null);
        });
        assertThat(logged).as("what the library logged while the batches failed").doesNotContain(MARKER);
        assertThat(store.getTrace(id).orElseThrow().messageCount()).as("nothing written").isZero();
    }

    /** The marker nowhere in the failure; {@code serverError}, if not null, still named in it. */
    private static void assertNoMarker(Throwable thrown, String serverError) {
        assertThat(thrown).isInstanceOfAny(StorageException.class, IllegalArgumentException.class, IllegalStateException.class);
        String printed = NoContent.assertNotIn(thrown, MARKER);
        if (serverError != null) {
            assertThat(printed).as("the server's error is still named").contains(serverError);
        }
    }
}
