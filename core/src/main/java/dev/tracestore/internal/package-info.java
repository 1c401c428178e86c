/**
 * Implementation details of TraceStore. Not API: anything here may change in any release.
 */
package dev.tracestore.internal;
