package dev.tracestore.sync.formats;

final class Titles {
    static final int MAX = 100;

    private Titles() {}

    /** A title from a first prompt: its first non-blank line, cut at {@value #MAX} characters. */
    static String fromPrompt(String prompt) {
        if (prompt == null || prompt.isBlank()) {
            return "Untitled session";
        }
        String first = prompt.strip().lines().filter(l -> !l.isBlank()).findFirst().orElse("").strip();
        if (first.length() <= MAX) {
            return first;
        }
        int cut = MAX - 1;
        if (Character.isHighSurrogate(first.charAt(cut - 1))) {
            cut--;
        }
        return first.substring(0, cut) + "…";
    }

    /** The last segment of a working directory, or null. */
    static String project(String cwd) {
        if (cwd == null || cwd.isBlank()) {
            return null;
        }
        String trimmed = cwd.replaceAll("[/\\\\]+$", "");
        int slash = Math.max(trimmed.lastIndexOf('/'), trimmed.lastIndexOf('\\'));
        String name = trimmed.substring(slash + 1);
        return name.isEmpty() ? null : name;
    }
}
