/**
 * The session formats this module ships, found through {@link java.util.ServiceLoader}: each
 * class's Javadoc gives its rules of what is one message, and where its tokens and tool calls
 * come from.
 */
package dev.tracestore.sync.formats;
