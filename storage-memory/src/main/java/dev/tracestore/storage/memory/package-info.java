/**
 * An in-memory {@link dev.tracestore.spi.TraceStorage}, for application tests and small
 * embeddings. For callers: create one with
 * {@link dev.tracestore.storage.memory.InMemoryTraceStorage#create()} and pass it to
 * {@link dev.tracestore.TraceStore.Builder#storage}.
 */
package dev.tracestore.storage.memory;
