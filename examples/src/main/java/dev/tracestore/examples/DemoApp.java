package dev.tracestore.examples;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.examples.importer.BundledSamples;
import dev.tracestore.examples.server.TraceServer;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo: stores real agent sessions with TraceStore on the embedded default database (an
 * SQLite file, {@link #DEFAULT_DB}), shows them
 * with their message counts, tokens and tool calls, and serves their share pages on localhost.
 *
 * <p>Run it from the repository root with {@code mvn -B -q -pl examples -am compile exec:java};
 * pass flags with {@code -Dexec.args="--help"}. Each run syncs the bundled sample sessions
 * (and, with {@code --import-home}, the user's own Claude Code and Codex sessions) with
 * {@code tracestore-sync}: the first run creates the traces; a later run finds each trace's
 * ingest cursor at the end of its file and writes nothing, so the counts stay exact with no
 * recount.
 */
public final class DemoApp implements AutoCloseable {
    static final String NAMESPACE = "local";
    /** The embedded default: an SQLite file in {@code ./data/}. */
    static final String DEFAULT_DB = EmbeddedDefault.URL;
    static final String USAGE = """
            Usage: demo [options]

            Imports agent sessions into a TraceStore, lists them with their message counts,
            tokens and tool calls, and serves their share pages on localhost.

            Options:
              --db URL        JDBC URL of the database (default: the SQLite file
                              ./data/tracestore.db, which survives restarts and a killed
                              process). For PostgreSQL:
                              jdbc:postgresql://127.0.0.1:5432/test?user=postgres
              --port N        HTTP port for the share pages (default 8080; 0 picks a free one)
              --import PATH   also import the sessions at PATH (a file or a directory); repeatable
              --import-home   also import ~/.claude/projects, ~/.codex/sessions,
                              ~/.gemini/tmp and OpenCode's opencode.db, those that exist
              --no-samples    do not import the bundled sample sessions
              --no-serve      import and list, then exit instead of serving
              --help          print this help

            Exit status: 0 when something was imported (problems are reported), 1 when
            nothing could be imported, 2 for a bad option.
            """;

    private final HikariDataSource dataSource;
    private final TraceServer server;

    private DemoApp(HikariDataSource dataSource, TraceServer server) {
        this.dataSource = dataSource;
        this.server = server;
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("demo: " + e.getMessage());
            System.err.print(USAGE);
            System.exit(2);
            return;
        }
        if (options.help) {
            System.out.print(USAGE);
            return;
        }
        DemoApp app = run(options, System.out, System.err);
        if (app == null) {
            System.exit(1);
        }
        if (app.server == null) {
            app.close();
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "demo-shutdown"));
        Thread.currentThread().join(); // serve until interrupted (Ctrl-C)
    }

    /**
     * Runs the demo: import, list, and (unless {@code --no-serve}) serve. Returns the running
     * app, to be closed, or null when nothing could be imported.
     */
    static DemoApp run(Options options, PrintStream out, PrintStream err) {
        HikariDataSource dataSource = EmbeddedDefault.open(options.db, "tracestore-demo");
        try {
            JdbcTraceStorage storage = JdbcTraceStorage.create(dataSource);
            int applied = storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            out.printf("TraceStore demo on %s (%s)%s%n", options.db, storage.dialect().name(),
                    applied > 0 ? ", schema created" : ", existing database reused");

            // The sync command's own pass (SyncCommand.once): its lines and summary.
            List<SyncReport> reports = new ArrayList<>();
            if (options.samples) {
                Path samples = BundledSamples.extractTo(tempDir());
                out.println();
                reports.add(SyncCommand.once(sync(store, Visibility.PUBLIC, Duration.ZERO, err), List.of(samples), out, err));
            }
            if (!options.imports.isEmpty()) {
                out.println();
                reports.add(SyncCommand.once(sync(store, Visibility.UNLISTED, Duration.ofSeconds(5), err), options.imports,
                        out, err));
            }
            boolean imported = reports.stream().anyMatch(r -> !r.files().isEmpty());
            if (!imported) {
                out.println("Nothing could be imported.");
                dataSource.close();
                return null;
            }

            TraceServer server = options.serve
                    ? TraceServer.start(store, NAMESPACE, new InetSocketAddress("127.0.0.1", options.port)) : null;
            out.println();
            out.printf("%-6s %-12s %-44s  %-50s %s%n", "ID", "AGENT", "TOTALS", "TITLE", server == null ? "" : "PAGE");
            for (TraceSummary t : store.listTraces(TraceQuery.namespace(NAMESPACE).limit(100)).items()) {
                out.printf("%-6d %-12s %-44s  %-50s %s%n", t.id(), t.agentId(), totals(t), shorten(t.title(), 50),
                        server == null || t.visibility() == Visibility.PRIVATE ? "" : server.traceUrl(t.id()));
            }
            if (server != null) {
                out.printf("%nServing the share pages at %s (Ctrl-C to stop)%n", server.baseUri());
            }
            return new DemoApp(dataSource, server);
        } catch (IOException e) {
            dataSource.close();
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    TraceServer server() {
        return server;
    }

    @Override
    public void close() {
        if (server != null) {
            server.close();
        }
        dataSource.close();
    }

    /**
     * A sync of finished files ({@code quietPeriod} zero: the bundled samples) or of live ones
     * (a session still being written holds back its last reply until the file is quiet).
     */
    private static SessionSync sync(TraceStore store, Visibility visibility, Duration quietPeriod, PrintStream err) {
        return SessionSync.builder(store).namespace(NAMESPACE).visibility(visibility).quietPeriod(quietPeriod)
                .progress(System.console() != null ? SyncCommand.progress(err) : SessionSync.Progress.none()).build();
    }

    /**
     * A trace's cached totals, as {@code 1,284 messages · 2.1M tokens · 87 tool calls}; tokens
     * are all four kinds (input, output, cache reads and writes), since cache reads are most of
     * what a coding agent's model reads.
     */
    static String totals(TraceSummary t) {
        return String.format("%,d %s · %s tokens · %,d %s", t.messageCount(), t.messageCount() == 1 ? "message" : "messages",
                CompactNumber.format(t.tokens().total()), t.toolCallCount(), t.toolCallCount() == 1 ? "tool call" : "tool calls");
    }

    private static String shorten(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    /** A fresh copy each run: a trace's cursor holds how far its session was read, not from where. */
    private static Path tempDir() throws IOException {
        Path dir = Files.createTempDirectory("tracestore-samples");
        dir.toFile().deleteOnExit();
        return dir;
    }

    /** The demo's command-line options. */
    static final class Options {
        String db = DEFAULT_DB;
        int port = 8080;
        List<Path> imports = new ArrayList<>();
        boolean samples = true;
        boolean serve = true;
        boolean help;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--db" -> o.db = value(args, ++i, "--db");
                    case "--port" -> {
                        String port = value(args, ++i, "--port");
                        try {
                            o.port = Integer.parseInt(port);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port: must be a number from 0 to 65535; got " + port);
                        }
                        if (o.port < 0 || o.port > 65_535) {
                            throw new IllegalArgumentException("--port: must be a number from 0 to 65535; got " + port);
                        }
                    }
                    case "--import" -> o.imports.add(Path.of(value(args, ++i, "--import")));
                    case "--import-home" -> o.imports.addAll(SyncCommand.Options.homeSessions());
                    case "--no-samples" -> o.samples = false;
                    case "--no-serve" -> o.serve = false;
                    case "--help", "-h" -> o.help = true;
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            return o;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + ": needs a value");
            }
            return args[i];
        }
    }
}
