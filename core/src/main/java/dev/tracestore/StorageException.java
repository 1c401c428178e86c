package dev.tracestore;

/**
 * The storage failed: a database error, a lost connection, a failed transaction. The cause
 * (for example an {@code SQLException}) is kept. The operation did not take effect unless the
 * message says otherwise; the adapter's atomicity guarantees still hold.
 */
public class StorageException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    private final boolean retryable;

    /** A failure described by {@code message}, caused by {@code cause}; not known to be {@linkplain #isRetryable() retryable}. */
    public StorageException(String message, Throwable cause) {
        this(message, cause, false);
    }

    /**
     * A failure described by {@code message}, caused by {@code cause}.
     *
     * @param retryable whether the operation surely reached no database, so that sending it again as
     *                  it is cannot apply it twice (see {@link #isRetryable()})
     */
    public StorageException(String message, Throwable cause, boolean retryable) {
        super(message, cause);
        this.retryable = retryable;
    }

    /**
     * Whether the operation surely wrote nothing and may be sent again as it is: it gave up
     * before reaching the database (no connection within the pool's timeout, a local lock not
     * granted in time). False means only that the storage cannot tell: a failure during or after
     * the commit may still have applied the operation.
     */
    public boolean isRetryable() {
        return retryable;
    }
}
