package dev.tracestore.sync;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * How far a file has been synced, as stored in its trace's ingest cursor:
 * {@code tsync1:<offset>:<line>:<fingerprint length>:<fingerprint>:<format state>}.
 *
 * <p>The offset is where the next pass starts (the start of a line) and the line its number.
 * The fingerprint is a SHA-256 (its first 16 hex digits) of the file's first bytes, up to
 * {@value #FINGERPRINT_BYTES} and never past the offset, which a sync has read and which a
 * growing file does not change: a file whose first bytes differ, or that is now shorter than
 * the offset, was replaced or truncated since.
 */
record SyncCursor(long offset, long line, int fingerprintLength, String fingerprint, String state) {
    static final String PREFIX = "tsync1:";
    static final int FINGERPRINT_BYTES = 4096;

    /** The cursor of a file not synced before: its start. */
    static final SyncCursor START = new SyncCursor(0, 1, 0, fingerprint(new byte[0], 0), null);

    /** The cursor a trace holds, or null if it holds none. */
    static SyncCursor parse(String stored) {
        if (stored == null) {
            return null;
        }
        if (!stored.startsWith(PREFIX)) {
            throw new IllegalArgumentException("not a cursor written by tracestore-sync");
        }
        String[] f = stored.substring(PREFIX.length()).split(":", 5);
        if (f.length != 5) {
            throw new IllegalArgumentException("a tracestore-sync cursor with " + f.length + " fields, not 5");
        }
        try {
            return new SyncCursor(Long.parseLong(f[0]), Long.parseLong(f[1]), Integer.parseInt(f[2]), f[3],
                    f[4].isEmpty() ? null : f[4]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a tracestore-sync cursor with a malformed number", e);
        }
    }

    /** Whether the file still starts as it did when this cursor was written, and reaches its offset. */
    boolean matches(Path file, long size) throws IOException {
        return size >= offset && fingerprint.equals(fingerprint(file, fingerprintLength));
    }

    @Override
    public String toString() {
        return PREFIX + offset + ":" + line + ":" + fingerprintLength + ":" + fingerprint + ":" + (state == null ? "" : state);
    }

    /** The fingerprint of the file's first {@code length} bytes (of fewer, if it is shorter). */
    static String fingerprint(Path file, int length) throws IOException {
        byte[] head = new byte[length];
        try (InputStream in = Files.newInputStream(file)) {
            int read = in.readNBytes(head, 0, length);
            return fingerprint(head, read);
        }
    }

    private static String fingerprint(byte[] bytes, int length) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(bytes, 0, length);
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JVM has SHA-256", e);
        }
    }
}
