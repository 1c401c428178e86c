package dev.tracestore.spi;

/**
 * A trace's share token as the storage holds it, in two parts: the {@code key}, which the
 * storage indexes and looks the trace up by, and the {@code secret}, which the core compares in
 * constant time once the row is found. Neither part alone opens a share page. Both are
 * URL-safe base64 of random bytes: the key {@value #KEY_LENGTH} characters, the secret
 * {@value #SECRET_LENGTH}.
 *
 * @param key    the looked-up part
 * @param secret the compared part: 144 random bits
 */
public record ShareToken(String key, String secret) {
    /** The key's length in characters: 12 random bytes. */
    public static final int KEY_LENGTH = 16;
    /** The secret's length in characters: 18 random bytes. */
    public static final int SECRET_LENGTH = 24;

    /** The key only: a token in a log line must not open its page. */
    @Override
    public String toString() {
        return "ShareToken[key=" + key + ", secret=(redacted)]";
    }
}
