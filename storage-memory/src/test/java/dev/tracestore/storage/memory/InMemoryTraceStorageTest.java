package dev.tracestore.storage.memory;

import dev.tracestore.spi.TraceStorage;
import dev.tracestore.testkit.FaultInjector;
import dev.tracestore.testkit.TraceStorageContract;

/** The whole storage contract, on the in-memory store. */
class InMemoryTraceStorageTest extends TraceStorageContract {

    @Override
    protected TraceStorage createStorage(FaultInjector faults) {
        return InMemoryTraceStorage.withWriteHook(faults::checkpoint);
    }

    @Override
    protected void forgetMessageCount(TraceStorage storage, long traceId) {
        ((InMemoryTraceStorage) storage).forgetCount(traceId);
    }

    @Override
    protected void forgetTotals(TraceStorage storage, long traceId) {
        ((InMemoryTraceStorage) storage).forgetTotals(traceId);
    }

    @Override
    protected long storedMessages(TraceStorage storage, long traceId) {
        return ((InMemoryTraceStorage) storage).storedMessages(traceId);
    }
}
