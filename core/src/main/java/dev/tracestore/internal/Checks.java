package dev.tracestore.internal;

import java.util.Locale;

/**
 * Argument checks shared by the records and the store. Every failure is an
 * {@link IllegalArgumentException} whose message names the field, the rule and the value.
 */
public final class Checks {
    private static final int QUOTE_LIMIT = 60;

    private Checks() {}

    /** A required identifier: not null, not blank, no control characters, no unpaired surrogates. */
    public static String id(String field, String value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": must not be null");
        }
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + ": must not be blank; got " + quote(value));
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                // The value is not quoted: whatever a caller put in an id by mistake stays out of logs.
                throw new IllegalArgumentException(
                        field + ": must not contain control characters; one is at index " + i);
            }
        }
        return wellFormed(field, value);
    }

    /** A required identifier at most {@code max} characters long. */
    public static String id(String field, String value, int max) {
        id(field, value);
        return maxLength(field, value, max);
    }

    /** An optional string at most {@code max} characters long, without unpaired surrogates; null passes. */
    public static String maxLength(String field, String value, int max) {
        if (value != null && value.length() > max) {
            // The value itself is not quoted: it may be message text or a title, which no exception carries.
            throw new IllegalArgumentException(field + ": must be at most " + max
                    + " characters; got " + value.length() + " characters");
        }
        return wellFormed(field, value);
    }

    /**
     * An optional string that is well-formed UTF-16: every surrogate is half of a pair. An
     * unpaired surrogate is no character at all; UTF-8 storage (PostgreSQL, MySQL/MariaDB,
     * SQLite) cannot encode it and its drivers would silently store {@code ?} instead, so it is
     * refused everywhere, whatever the storage. Null passes.
     */
    public static String wellFormed(String field, String value) {
        int at = value == null ? -1 : unpairedSurrogate(value);
        if (at >= 0) {
            throw new IllegalArgumentException(field + ": must not contain an unpaired surrogate, which is not a"
                    + " character and cannot be stored as UTF-8; found U+" + Integer.toHexString(value.charAt(at))
                    .toUpperCase(Locale.ROOT) + " at index " + at + " (of " + value.length() + " characters)");
        }
        return value;
    }

    /** The index of the first unpaired surrogate of {@code value}, or -1 if it has none. One pass, no allocation. */
    public static int unpairedSurrogate(String value) {
        for (int i = 0, n = value.length(); i < n; i++) {
            char c = value.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(value.charAt(i + 1))) {
                    i++;
                } else {
                    return i;
                }
            }
        }
        return -1;
    }

    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": must not be null");
        }
        return value;
    }

    public static int inRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(
                    field + ": must be between " + min + " and " + max + "; got " + value);
        }
        return value;
    }

    /** A value quoted for an error message, shortened and with control characters escaped. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder("\"");
        int end = Math.min(value.length(), QUOTE_LIMIT);
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c) || Character.isSurrogate(c)) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (value.length() > end) {
            sb.append('…');
        }
        return sb.append('"').toString();
    }

    /** A failure of {@code field}'s {@code rule}, quoting the value. */
    public static IllegalArgumentException invalid(String field, String rule, String value) {
        return new IllegalArgumentException(field + ": " + rule + "; got " + quote(value));
    }
}
