/**
 * Share pages for traces, for applications that serve a page per trace and want a rich link
 * preview when that page's URL is pasted into a chat: the {@code <head>} metadata (title,
 * description, canonical link, {@code og:*}, {@code twitter:*}) and the 1200×630 Open Graph
 * PNG image that shows the trace's title, agent, model, message count, token total and tool
 * calls (each of the last two only when above 0) and date. The Java counterpart of a Next.js
 * {@code generateMetadata} plus {@code opengraph-image}.
 *
 * <p>Start with {@link dev.tracestore.web.ShareSettings#builder(String)}, then
 * {@link dev.tracestore.web.TraceMetadata#of(dev.tracestore.TraceDetail, String, ShareSettings)} for the
 * metadata and {@link dev.tracestore.web.OgImageRenderer#render(ShareCard)} for the image.
 * Everything here is immutable and thread-safe unless its Javadoc says otherwise.
 *
 * <p><b>Fonts and machines without fonts.</b> Images use only the fonts shipped in this jar.
 * On Linux the JDK still asks fontconfig for system fonts before it draws any text, and fails
 * with "Fontconfig head is null" when fontconfig finds none, even for a font loaded with
 * {@link java.awt.Font#createFont}. The renderer then writes a one-font logical-font
 * configuration (the shipped DejaVu Sans, extracted to a temporary directory), sets the
 * process-wide {@code sun.awt.fontconfig} system property to it, logs one WARN and retries; it
 * never does so on a machine whose fontconfig works, nor when that property is already set, in
 * which case it throws {@link dev.tracestore.web.ImageRenderingException} saying what to install.
 * Installing any font package (such as Debian's {@code fonts-dejavu-core}) avoids the fallback.
 *
 * <p>Private traces are refused with {@link dev.tracestore.web.PrivateTraceException}: nothing
 * in this package ever puts a private trace's title, text, counts or tokens into metadata or an image.
 */
package dev.tracestore.web;
