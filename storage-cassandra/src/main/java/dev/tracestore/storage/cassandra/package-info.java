/**
 * The Apache Cassandra storage adapter, for applications whose traces outgrow one database
 * server. For callers: build a {@link dev.tracestore.storage.cassandra.CassandraTraceStorage}
 * from the application's {@code CqlSession} and a keyspace, call {@code migrate()} once, and
 * pass it to {@link dev.tracestore.TraceStore.Builder#storage}. Its class comment states which
 * of the storage properties hold as written on Cassandra and which in a weaker form.
 */
package dev.tracestore.storage.cassandra;
