/**
 * The storage SPI, for authors of storage adapters (not for callers of the API).
 *
 * <p>An adapter implements {@link dev.tracestore.spi.TraceStorage}: a handful of primitives,
 * each with the atomicity and concurrency guarantee its Javadoc states. The core
 * ({@link dev.tracestore.TraceStore}) owns the policy: validation, limits, how much a batch
 * adds to a count, when to recount, how a deletion proceeds. The adapter owns the mechanism:
 * how its database applies an increment as one atomic write. Run the contract test kit
 * ({@code tracestore-testkit}) against every adapter.
 */
package dev.tracestore.spi;
