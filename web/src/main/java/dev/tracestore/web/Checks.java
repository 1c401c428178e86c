package dev.tracestore.web;

/**
 * Argument checks for this package. Every failure is an {@link IllegalArgumentException} whose
 * message names the field, the rule and the value.
 */
final class Checks {
    private static final int QUOTE_LIMIT = 60;

    private Checks() {}

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": must not be null");
        }
        return value;
    }

    /** Not null, not blank, no control characters, at most {@code max} characters. */
    static String text(String field, String value, int max) {
        notNull(field, value);
        if (value.isBlank()) {
            throw new IllegalArgumentException(field + ": must not be blank; got " + quote(value));
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw new IllegalArgumentException(
                        field + ": must not contain control characters; got " + quote(value));
            }
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(field + ": must be at most " + max
                    + " characters; got " + value.length() + " characters: " + quote(value));
        }
        return value;
    }

    static IllegalArgumentException invalid(String field, String rule, String value) {
        return new IllegalArgumentException(field + ": " + rule + "; got " + quote(value));
    }

    /** A value quoted for an error message, shortened and with control characters escaped. */
    static String quote(String value) {
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
}
