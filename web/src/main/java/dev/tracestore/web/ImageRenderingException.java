package dev.tracestore.web;

import dev.tracestore.TraceStoreException;

/**
 * {@link OgImageRenderer} could not render: Java2D could not initialise its fonts even after
 * the renderer's fallback (see {@link OgImageRenderer}), or encoding the PNG failed. The message
 * says what failed and what an operator can do; the cause is the JDK's own error.
 */
public final class ImageRenderingException extends TraceStoreException {
    private static final long serialVersionUID = 1L;

    /** A rendering failure described by {@code message}, caused by {@code cause}. */
    public ImageRenderingException(String message, Throwable cause) {
        super(message, cause);
    }
}
