package dev.tracestore;

import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceStorage;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;

/**
 * Share tokens: the unguessable names that a public or unlisted trace's pages are addressed
 * by, in place of its sequential id. A token is a random key, which the storage looks the trace
 * up by in its index, followed by a random secret, which is compared in constant time once the
 * row is found (a split token: the lookup's timing says nothing about the secret). A wrong key,
 * a wrong secret, a revoked token and a private trace all cost the same lookup and find nothing.
 */
final class ShareLinks {
    /** The length of a token: key then secret, URL-safe base64 without padding. */
    static final int TOKEN_LENGTH = ShareToken.KEY_LENGTH + ShareToken.SECRET_LENGTH;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private final TraceStorage storage;

    ShareLinks(TraceStorage storage) {
        this.storage = storage;
    }

    /** The trace's token, created the first time; see {@link TraceStore#shareToken(long)}. */
    String token(long traceId) {
        for (int round = 1; ; round++) {
            StoredTrace t = storage.findTrace(traceId).orElseThrow(() -> new TraceNotFoundException(traceId));
            if (t.visibility() == Visibility.PRIVATE) {
                throw new IllegalStateException("trace " + traceId + " is private: make it public or unlisted to share it");
            }
            if (t.shareToken() != null) {
                return t.shareToken().key() + t.shareToken().secret();
            }
            if (round >= 100) { // each round lost to a concurrent revocation: a storage that never sets one
                throw new StorageException("sharing trace " + traceId + " did not settle after " + round
                        + " rounds of concurrent changes to its token", null);
            }
            ShareToken made = new ShareToken(random(ShareToken.KEY_LENGTH), random(ShareToken.SECRET_LENGTH));
            if (storage.createShareToken(traceId, made)) {
                return made.key() + made.secret();
            }
            // Another caller set one first, or the trace turned private: read again to know which.
        }
    }

    void revoke(long traceId) {
        storage.revokeShareToken(traceId);
    }

    /** The shareable trace this token names, or empty; see {@link TraceStore#findSharedTrace(String)}. */
    Optional<StoredTrace> find(String token) {
        if (!wellFormed(token)) {
            return Optional.empty();
        }
        String key = token.substring(0, ShareToken.KEY_LENGTH);
        byte[] secret = token.substring(ShareToken.KEY_LENGTH).getBytes(StandardCharsets.US_ASCII);
        return storage.findTraceByShareKey(key)
                .filter(t -> t.shareToken() != null && t.shareToken().key().equals(key) && t.visibility() != Visibility.PRIVATE)
                .filter(t -> MessageDigest.isEqual(secret, t.shareToken().secret().getBytes(StandardCharsets.US_ASCII)));
    }

    /** Whether {@code token} has a token's length and only URL-safe base64 characters. */
    static boolean wellFormed(String token) {
        if (token == null || token.length() != TOKEN_LENGTH) {
            return false;
        }
        for (int i = 0; i < token.length(); i++) {
            char c = token.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                return false;
            }
        }
        return true;
    }

    /** {@code length} characters of URL-safe base64 (a multiple of 4) of random bytes. */
    private static String random(int length) {
        byte[] b = new byte[length / 4 * 3];
        RANDOM.nextBytes(b);
        return BASE64URL.encodeToString(b);
    }
}
