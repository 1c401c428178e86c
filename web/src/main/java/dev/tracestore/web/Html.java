package dev.tracestore.web;

/** HTML escaping for the head this package renders. */
final class Html {
    private Html() {}

    /**
     * The text escaped for a double- or single-quoted attribute value and for element text:
     * {@code & < > " '} become character references, and so does every control character
     * (a newline never lands raw inside an attribute).
     */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (Character.isISOControl(c)) {
                        sb.append("&#").append((int) c).append(';');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }
}
