/**
 * Implementation details of the core module. Not API: anything here may change in any release,
 * and no other module of TraceStore uses it either ({@code InternalPackageTest} checks), so
 * that each module can be released and read on its own.
 */
package dev.tracestore.internal;
