/**
 * Importers of real coding-agent sessions into a {@link dev.tracestore.TraceStore}: Claude
 * Code JSONL transcripts and OpenAI Codex CLI rollout files. For applications and the demo;
 * see {@link dev.tracestore.examples.importer.SessionImporter}.
 */
package dev.tracestore.examples.importer;
