/**
 * Real Apache Cassandra 5.0 nodes for tests, each in a child JVM: for test code of TraceStore's
 * modules, not for applications. The module is not published.
 *
 * <p>{@link dev.tracestore.cassandra.node.CassandraNode#start(dev.tracestore.cassandra.node.NodeConfig)}
 * starts one node; {@link dev.tracestore.cassandra.node.CassandraCluster#builder(java.nio.file.Path)}
 * starts several on 127.0.0.1, 127.0.0.2, and so on. The jar depends on nothing but the JDK:
 * Cassandra and its dependencies run in the child JVMs only, from the classpath that the build
 * resolves (see {@code cassandra-node/README.md}), so they never meet the test's own classpath.
 */
package dev.tracestore.cassandra.node;
