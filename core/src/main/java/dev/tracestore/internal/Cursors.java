package dev.tracestore.internal;

import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.TraceListQuery;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Opaque keyset cursors. A cursor carries a fingerprint of the listing it belongs to (the
 * namespace and filters, or the trace), so that a cursor from one query used with another is
 * rejected rather than silently returning another listing's rows. A cursor holds only numbers
 * and an id; it is parsed strictly and its values are only ever bound as parameters, so a
 * crafted cursor is rejected or, at worst, starts a listing at another position of the same
 * query. Not API.
 */
public final class Cursors {
    private static final String TRACES = "t1";
    private static final String MESSAGES = "m1";
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder DECODER = Base64.getUrlDecoder();

    private Cursors() {}

    /** The cursor after {@code position} in the listing {@code scope} describes. */
    public static String traces(TraceListQuery scope, TraceListQuery.Position position) {
        Instant t = position.updatedAt();
        return encode(TRACES + ":" + fingerprint(traceScope(scope)) + ":" + t.getEpochSecond() + ":" + t.getNano()
                + ":" + position.id());
    }

    /**
     * The position a trace-listing cursor points at.
     *
     * @throws IllegalArgumentException if it is malformed or belongs to another query
     */
    public static TraceListQuery.Position traces(TraceListQuery scope, String cursor) {
        String[] parts = decode(cursor, TRACES, 5);
        checkFingerprint(cursor, parts[1], traceScope(scope), "query");
        try {
            long seconds = Long.parseLong(parts[2]);
            int nanos = Integer.parseInt(parts[3]);
            long id = Long.parseLong(parts[4]);
            return new TraceListQuery.Position(Instant.ofEpochSecond(seconds, nanos), id);
        } catch (RuntimeException e) { // NumberFormatException, DateTimeException
            throw malformed(cursor);
        }
    }

    /** The cursor after {@code position} in the messages of {@code traceId}. */
    public static String messages(long traceId, MessagePosition position) {
        return encode(MESSAGES + ":" + fingerprint(Long.toString(traceId)) + ":" + position.sequence() + ":"
                + position.externalId());
    }

    /**
     * The position a message-listing cursor points at.
     *
     * @throws IllegalArgumentException if it is malformed or belongs to another trace
     */
    public static MessagePosition messages(long traceId, String cursor) {
        String[] parts = decode(cursor, MESSAGES, 4);
        checkFingerprint(cursor, parts[1], Long.toString(traceId), "trace");
        try {
            long sequence = Long.parseLong(parts[2]);
            if (parts[3].isEmpty()) {
                throw malformed(cursor);
            }
            return new MessagePosition(sequence, parts[3]);
        } catch (NumberFormatException e) {
            throw malformed(cursor);
        }
    }

    private static String traceScope(TraceListQuery q) {
        return q.namespace() + '\u0000' + q.agentId() + '\u0000' + q.visibility();
    }

    private static String encode(String raw) {
        return ENCODER.encodeToString(raw.getBytes(StandardCharsets.UTF_8));
    }

    private static String[] decode(String cursor, String kind, int fields) {
        if (cursor.isEmpty() || cursor.length() > 2048) {
            throw malformed(cursor);
        }
        String raw;
        try {
            raw = new String(DECODER.decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw malformed(cursor);
        }
        String[] parts = raw.split(":", fields);
        if (parts.length != fields || !parts[0].equals(kind)) {
            throw malformed(cursor);
        }
        return parts;
    }

    private static void checkFingerprint(String cursor, String actual, String scope, String what) {
        if (!actual.equals(fingerprint(scope))) {
            throw new IllegalArgumentException("cursor: must come from a page of this same " + what
                    + "; got a cursor of another one: \"" + shorten(cursor) + "\"");
        }
    }

    private static String fingerprint(String scope) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(scope.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
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
