package dev.tracestore.examples.importer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The sample sessions shipped with the examples: real Claude Code sessions (MIT licence, see
 * {@code samples/claude-code/LICENSE}) and hand-written Codex rollouts. They live on the
 * classpath, so {@link #extractTo(Path)} copies them to a directory a sync can walk.
 */
public final class BundledSamples {
    private static final String ROOT = "/dev/tracestore/examples/samples/";

    private BundledSamples() {}

    /** Copies every sample into {@code dir} (created if needed), keeping the layout; returns {@code dir}. */
    public static Path extractTo(Path dir) {
        try {
            for (String relative : index()) {
                Path target = dir.resolve(relative);
                Files.createDirectories(target.getParent());
                try (InputStream in = open(relative)) {
                    Files.copy(in, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot extract the bundled samples to " + dir, e);
        }
    }

    private static List<String> index() throws IOException {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(open("index.txt"), StandardCharsets.UTF_8))) {
            return r.lines().filter(l -> !l.isBlank()).toList();
        }
    }

    private static InputStream open(String relative) throws IOException {
        InputStream in = BundledSamples.class.getResourceAsStream(ROOT + relative);
        if (in == null) {
            throw new IOException("bundled sample missing from the classpath: " + ROOT + relative);
        }
        return in;
    }
}
