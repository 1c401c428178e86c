/**
 * The TraceStore API, for applications that store AI-agent traces and their messages.
 *
 * <p>Start with {@link dev.tracestore.TraceStore#builder()}. Everything in this package is
 * immutable and thread-safe unless its Javadoc says otherwise. Storage adapters implement
 * {@link dev.tracestore.spi.TraceStorage} instead; callers never need the {@code spi}
 * package beyond passing an adapter to the builder.
 */
package dev.tracestore;
