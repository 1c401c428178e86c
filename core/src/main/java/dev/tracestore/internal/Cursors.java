package dev.tracestore.internal;

import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.TraceListQuery;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Opaque, authenticated keyset cursors. A cursor carries its position and a 128-bit HMAC-SHA256
 * tag, keyed with the store's secret, of the position and of the listing it belongs to (the
 * namespace and filters, or the trace). So a cursor from one query used with another, a cursor
 * whose position was altered, and a cursor made up by a client, even one naming the same query,
 * are all rejected; the tag is compared in constant time. A cursor holds only numbers and an id;
 * it is parsed strictly and its values are only ever bound as parameters. Not API.
 */
public final class Cursors {
    /** The shortest secret accepted: 128 bits. */
    public static final int MIN_SECRET_BYTES = 16;
    private static final String TRACES = "t2";
    private static final String MESSAGES = "m2";
    private static final int TAG_BYTES = 16;
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private final SecretKeySpec key;

    private Cursors(byte[] secret) {
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /**
     * Cursors keyed with {@code secret}: stores that share a secret accept each other's cursors.
     *
     * @throws IllegalArgumentException if the secret is shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    public static Cursors keyedWith(byte[] secret) {
        if (secret == null || secret.length < MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("cursorSecret: must be at least " + MIN_SECRET_BYTES + " bytes; got "
                    + (secret == null ? "null" : secret.length));
        }
        return new Cursors(secret.clone());
    }

    /** Cursors keyed with a random secret: only this instance accepts them. */
    public static Cursors random() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return new Cursors(secret);
    }

    /** The cursor after {@code position} in the listing {@code scope} describes. */
    public String traces(TraceListQuery scope, TraceListQuery.Position position) {
        Instant t = position.updatedAt();
        return encode(TRACES, traceScope(scope), t.getEpochSecond() + ":" + t.getNano() + ":" + position.id());
    }

    /**
     * The position a trace-listing cursor points at.
     *
     * @throws IllegalArgumentException if it is malformed, or was not issued for this query by a store with this secret
     */
    public TraceListQuery.Position traces(TraceListQuery scope, String cursor) {
        String[] parts = decode(cursor, TRACES, traceScope(scope), 3, "query");
        try {
            long seconds = Long.parseLong(parts[0]);
            int nanos = Integer.parseInt(parts[1]);
            long id = Long.parseLong(parts[2]);
            return new TraceListQuery.Position(Instant.ofEpochSecond(seconds, nanos), id);
        } catch (RuntimeException e) { // NumberFormatException, DateTimeException
            throw malformed(cursor);
        }
    }

    /** The cursor after {@code position} in the messages of {@code traceId}. */
    public String messages(long traceId, MessagePosition position) {
        return encode(MESSAGES, Long.toString(traceId), position.sequence() + ":" + position.externalId());
    }

    /**
     * The position a message-listing cursor points at.
     *
     * @throws IllegalArgumentException if it is malformed, or was not issued for this trace by a store with this secret
     */
    public MessagePosition messages(long traceId, String cursor) {
        String[] parts = decode(cursor, MESSAGES, Long.toString(traceId), 2, "trace");
        try {
            long sequence = Long.parseLong(parts[0]);
            if (parts[1].isEmpty()) {
                throw malformed(cursor);
            }
            return new MessagePosition(sequence, parts[1]);
        } catch (NumberFormatException e) {
            throw malformed(cursor);
        }
    }

    private static String traceScope(TraceListQuery q) {
        return q.namespace() + '\u0000' + q.agentId() + '\u0000' + q.visibility();
    }

    /** {@code kind:tag:position}, base64url: the tag over the kind, the scope and the position. */
    private String encode(String kind, String scope, String position) {
        String tag = ENCODER.encodeToString(tag(kind, scope, position));
        return ENCODER.encodeToString((kind + ":" + tag + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    private String[] decode(String cursor, String kind, String scope, int fields, String what) {
        if (cursor.isEmpty() || cursor.length() > 2048) {
            throw malformed(cursor);
        }
        String raw;
        try {
            raw = new String(DECODER.decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed(cursor);
        }
        String[] head = raw.split(":", 3);
        if (head.length != 3 || !head[0].equals(kind)) {
            throw malformed(cursor);
        }
        byte[] given;
        try {
            given = DECODER.decode(head[1]);
        } catch (IllegalArgumentException e) {
            throw malformed(cursor);
        }
        if (!MessageDigest.isEqual(given, tag(kind, scope, head[2]))) {
            throw new IllegalArgumentException("cursor: must come from a page of this same " + what
                    + ", as this store issued it; got another: \"" + shorten(cursor) + "\"");
        }
        String[] parts = head[2].split(":", fields);
        if (parts.length != fields) {
            throw malformed(cursor);
        }
        return parts;
    }

    private byte[] tag(String kind, String scope, String position) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update((kind + '\u0000' + scope + '\u0000' + position).getBytes(StandardCharsets.UTF_8));
            return Arrays.copyOf(mac.doFinal(), TAG_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every Java platform", e);
        }
    }

    private static IllegalArgumentException malformed(String cursor) {
        return new IllegalArgumentException(
                "cursor: must be a cursor returned by a previous page; got \"" + shorten(cursor) + "\"");
    }

    private static String shorten(String s) {
        String visible = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return visible.replaceAll("\\p{Cntrl}", "?");
    }
}
