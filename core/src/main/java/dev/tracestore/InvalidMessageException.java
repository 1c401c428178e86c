package dev.tracestore;

/**
 * One message of a batch breaks a limit or is malformed, and says which: nothing of the batch
 * was written. A client that wants the rest of the batch stored sends it again without
 * {@link #index()}.
 */
public final class InvalidMessageException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int index;

    /** The message at {@code index} of the batch is invalid, as {@code cause} says. */
    public InvalidMessageException(int index, IllegalArgumentException cause) {
        super(cause.getMessage(), cause);
        this.index = index;
    }

    /** The position in the batch, as sent, of the message that is invalid. */
    public int index() {
        return index;
    }
}
