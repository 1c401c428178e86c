package dev.tracestore;

/**
 * The root of every exception TraceStore throws on purpose, apart from
 * {@link IllegalArgumentException} for a bad argument. Unchecked.
 */
public abstract class TraceStoreException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    protected TraceStoreException(String message) {
        super(message);
    }

    protected TraceStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
