package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.testkit.FaultInjector;
import dev.tracestore.testkit.InjectedFault;
import dev.tracestore.testkit.StorageCapabilities;
import dev.tracestore.testkit.TraceStorageContract;

/**
 * The whole storage contract on a Cassandra 5.0 node, every test of it. Faults are injected
 * before each statement is sent and after its result arrived (a timeout whose write landed),
 * through {@link InterceptingSession}. The capabilities name what Cassandra keeps only in a
 * weaker form (see {@link CassandraTraceStorage}): the batch and its count are two writes, a
 * failed call may have counted, a recount may count a racing batch twice, and messages are
 * deleted by one partition tombstone rather than in chunks, and racing batches can leave
 * lastMessageAt at the earlier one's instant (a plain write, not a maximum kept by the server).
 */
class CassandraTraceStorageContractTest extends TraceStorageContract {

    @Override
    protected TraceStorage createStorage(FaultInjector faults) {
        CqlSession session = TestCassandra.session();
        TestCassandra.clear();
        CqlSession faulty = InterceptingSession.over(session, (statement, executed) -> {
            try {
                faults.checkpoint();
            } catch (InjectedFault fault) {
                throw new InjectedDriverFault(executed, fault);
            }
        });
        return CassandraTraceStorage.builder(faulty).keyspace(TestCassandra.KEYSPACE).build();
    }

    @Override
    protected void forgetMessageCount(TraceStorage storage, long traceId) {
        TestCassandra.forgetMessageCount(traceId);
    }

    /** As a trace from schema version 1: no totals known, no usage on its messages. */
    @Override
    protected void forgetTotals(TraceStorage storage, long traceId) {
        TestCassandra.asVersion1(traceId);
    }

    /** Rows in both message tables: a deletion must leave neither. */
    @Override
    protected long storedMessages(TraceStorage storage, long traceId) {
        return TestCassandra.storedMessages(traceId);
    }

    @Override
    protected StorageCapabilities capabilities() {
        return StorageCapabilities.strict()
                .withAtomicBatchWithCount(false)
                .withExactCountUnderRetry(false)
                .withAtomicCursorAppend(false)
                .withExactRecountUnderConcurrency(false)
                .withChunkedDeletion(false)
                .withExactLastMessageAtUnderConcurrency(false);
    }
}
