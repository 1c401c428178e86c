package dev.tracestore.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Checks that a failure carries no content: an adapter's test fails batches whose text holds a
 * marker, then asserts with these that the marker is in no message of the exception's chain
 * (causes, suppressed, an {@link SQLException}'s next ones), in its printed stack trace, and in
 * nothing written to standard error or output meanwhile, where slf4j-simple, the tests' SLF4J
 * provider, writes its log lines.
 */
public final class NoContent {
    private NoContent() {
    }

    /**
     * Asserts that {@code marker} is in no message of {@code thrown}'s chain and not in its
     * printed stack trace; returns that printed trace, for further checks.
     */
    public static String assertNotIn(Throwable thrown, String marker) {
        assertThat(thrown).as("the call failed").isNotNull();
        assertNoMarker(thrown, marker, new IdentityHashMap<>());
        StringWriter printed = new StringWriter();
        thrown.printStackTrace(new PrintWriter(printed));
        assertThat(printed.toString()).as("the printed stack trace").doesNotContain(marker);
        return printed.toString();
    }

    private static void assertNoMarker(Throwable t, String marker, Map<Throwable, Boolean> seen) {
        if (t == null || seen.put(t, true) != null) {
            return;
        }
        assertThat(String.valueOf(t.getMessage())).as(t.getClass().getName()).doesNotContain(marker);
        assertNoMarker(t.getCause(), marker, seen);
        if (t instanceof SQLException sql) {
            assertNoMarker(sql.getNextException(), marker, seen);
        }
        for (Throwable s : t.getSuppressed()) {
            assertNoMarker(s, marker, seen);
        }
    }

    /**
     * What is written to standard error and output while {@code work} runs, copied to standard
     * error afterwards so that the build still shows it. slf4j-simple resolves
     * {@code System.err} at each line, so its lines land here, at the level the tests log at.
     */
    public static String logOutput(Runnable work) {
        PrintStream err = System.err;
        PrintStream out = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setErr(capture);
        System.setOut(capture);
        try {
            work.run();
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        err.print(text);
        return text;
    }
}
