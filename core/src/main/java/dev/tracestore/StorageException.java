package dev.tracestore;

/**
 * The storage failed: a database error, a lost connection, a failed transaction. The cause
 * (for example an {@code SQLException}) is kept. The operation did not take effect unless the
 * message says otherwise; the adapter's atomicity guarantees still hold.
 */
public class StorageException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    /** A failure described by {@code message}, caused by {@code cause}. */
    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }
}
