package dev.tracestore.web;

/**
 * The argument checks of this module's public constructors and builders. Every failure is an
 * {@link IllegalArgumentException} whose message names the argument, the rule and the value,
 * quoted short and with control characters escaped, in the words the core's checks use.
 * The core's checks are internal to it: this module keeps its own, for the few rules it needs.
 */
final class Arguments {
    private static final int QUOTE_LIMIT = 60;

    private Arguments() {}

    static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": must not be null");
        }
        return value;
    }

    /**
     * A required name or setting: not null, not blank, without control characters or unpaired
     * surrogates, at most {@code max} characters.
     */
    static String text(String field, String value, int max) {
        notNull(field, value);
        if (value.isBlank()) {
            throw invalid(field, "must not be blank", value);
        }
        if (value.length() > max) {
            throw new IllegalArgumentException(field + ": must be at most " + max + " characters; got "
                    + value.length() + " characters: " + quote(value));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isISOControl(c)) {
                throw invalid(field, "must not contain control characters", value);
            }
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw invalid(field, "must not contain an unpaired surrogate", value);
            }
        }
        return value;
    }

    /** A failure of {@code field}'s {@code rule}, quoting the value. */
    static IllegalArgumentException invalid(String field, String rule, String value) {
        return new IllegalArgumentException(field + ": " + rule + "; got " + quote(value));
    }

    private static String quote(String value) {
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
        return sb.append(value.length() > end ? "…\"" : "\"").toString();
    }
}
