/**
 * The example app's HTTP server: trace list, trace pages with share metadata, Open Graph
 * images and a JSON API, on the JDK's {@code com.sun.net.httpserver}. For the demo and as a
 * reference for applications serving TraceStore pages.
 */
package dev.tracestore.examples.server;
