/**
 * The sample sessions the demo syncs ({@link dev.tracestore.examples.importer.BundledSamples});
 * the sync itself is {@code tracestore-sync}'s {@link dev.tracestore.sync.SessionSync}.
 */
package dev.tracestore.examples.importer;
