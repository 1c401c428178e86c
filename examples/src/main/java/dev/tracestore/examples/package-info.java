/** Runnable examples of TraceStore, for people evaluating or learning the library. */
package dev.tracestore.examples;
