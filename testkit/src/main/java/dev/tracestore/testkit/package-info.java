/**
 * The storage contract test kit, for authors of storage adapters. Subclass
 * {@link dev.tracestore.testkit.TraceStorageContract} in your adapter's tests, implement its
 * factory methods, and every behaviour the core relies on is checked against your storage.
 */
package dev.tracestore.testkit;
