package dev.tracestore.web;

/**
 * HTML escaping, as the metadata of this package uses it; public for applications that render
 * the rest of a trace page themselves (the example app does). Thread-safe; no state.
 */
public final class Html {
    private Html() {}

    /**
     * The text escaped for a double- or single-quoted attribute value and for element text:
     * {@code & < > " '} become character references, and so do tab, newline and carriage
     * return (a newline never lands raw inside an attribute); other control characters, which
     * HTML cannot carry faithfully, become U+FFFD.
     *
     * @param text any text, not null
     * @return the escaped text
     */
    public static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                case '\t', '\n', '\r' -> sb.append("&#").append((int) c).append(';');
                default -> {
                    if (Character.isISOControl(c)) {
                        // &#0; is a parse error and &#128;-&#159; decode as Windows-1252 characters.
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
