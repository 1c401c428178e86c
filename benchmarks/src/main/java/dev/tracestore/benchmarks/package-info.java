/**
 * JMH benchmarks of TraceStore, each run side by side with its baselines. For maintainers;
 * not published. Each class's Javadoc gives the command that runs it.
 */
package dev.tracestore.benchmarks;
