/**
 * Share pages for traces, for applications that serve a page per trace and want a rich link
 * preview when that page's URL is pasted into a chat: the {@code <head>} metadata (title,
 * description, canonical link, {@code og:*}, {@code twitter:*}) and the 1200×630 Open Graph
 * PNG image that shows the trace's title, agent, model, message count and date. The Java
 * counterpart of a Next.js {@code generateMetadata} plus {@code opengraph-image}.
 *
 * <p>Start with {@link dev.tracestore.web.ShareSettings#builder(String)}, then
 * {@link dev.tracestore.web.TraceMetadata#of(dev.tracestore.TraceDetail, ShareSettings)} for the
 * metadata and {@link dev.tracestore.web.OgImageRenderer#render(ShareCard)} for the image.
 * Everything here is immutable and thread-safe unless its Javadoc says otherwise.
 *
 * <p>Private traces are refused with {@link dev.tracestore.web.PrivateTraceException}: nothing
 * in this package ever puts a private trace's title, text or count into metadata or an image.
 */
package dev.tracestore.web;
