/**
 * Syncs agent session files into a {@link dev.tracestore.TraceStore}, streaming, incrementally
 * and exactly once: {@link dev.tracestore.sync.SessionSync} is the entry point,
 * {@link dev.tracestore.sync.SessionFormat} the plugin interface of one agent's files, and
 * {@link dev.tracestore.sync.SessionDatabase} that of an agent's store of many sessions.
 */
package dev.tracestore.sync;
