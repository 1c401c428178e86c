package dev.tracestore.examples;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceStoreException;
import dev.tracestore.Visibility;
import dev.tracestore.storage.jdbc.JdbcTraceStorage;
import dev.tracestore.sync.Follower;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncProblem;
import dev.tracestore.sync.SyncReport;
import dev.tracestore.sync.SyncedFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;

/**
 * The sync command: syncs agent session files into a TraceStore database, once or following
 * them as they grow. {@code java -jar examples/target/tracestore-sync.jar --help}, or
 * {@code mvn -B -q -pl examples -am compile exec:java -Dexec.main=dev.tracestore.examples.SyncCommand}.
 */
public final class SyncCommand {
    /** Everything was synced; nothing went wrong. */
    static final int OK = 0;
    /** Something was synced or looked at, and some files or lines were not (each reported). */
    static final int PROBLEMS = 1;
    /** The options were wrong. */
    static final int USAGE_ERROR = 2;
    /** The database failed: what was sent before stays, the next run goes on from there. */
    static final int STORAGE_ERROR = 3;

    static final String USAGE = """
            Usage: tracestore-sync [options] [PATH...]

            Syncs agent session files into a TraceStore database, exactly once: each trace
            remembers how far its file was read, so a run sends only what was appended since
            the last one, and a run over unchanged files writes nothing.

            PATH            session files or directories (default: ~/.claude/projects,
                            ~/.codex/sessions, ~/.gemini/tmp and OpenCode's opencode.db,
                            or its older storage/session, those that exist)

            Options:
              --db URL          JDBC URL of the database (default: the SQLite file
                                ./data/tracestore.db, the demo's)
              --namespace NS    namespace of the traces (default: local)
              --visibility V    private, unlisted or public: what new traces get (default: private)
              --follow          keep syncing as files grow and appear, until Ctrl-C
              --poll MS         how often --follow looks at the files (default: 500)
              --quiet-period S  seconds a file must go unchanged before the reply still
                                being written at its end is taken as complete (default: 5)
              --help            print this help

            Exit status: 0 synced, no problems; 1 some files or lines were not synced (each
            reported); 2 bad options; 3 the database failed (the next run goes on from where
            this one stopped).
            """;

    private SyncCommand() {}

    public static void main(String[] args) throws InterruptedException {
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> { // Ctrl-C: stop following, let the summary print
            stop.countDown();
            try {
                done.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "tracestore-sync-stop"));
        int status = run(args, System.out, System.err, System.console() != null, stop);
        done.countDown();
        System.exit(status);
    }

    /**
     * Runs the command. With {@code --follow}, follows until {@code stop} is counted down (by
     * Ctrl-C, for {@link #main}), then prints the summary.
     */
    static int run(String[] args, PrintStream out, PrintStream err, boolean terminal, CountDownLatch stop)
            throws InterruptedException {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("tracestore-sync: " + e.getMessage());
            err.print(USAGE);
            return USAGE_ERROR;
        }
        if (o.help) {
            out.print(USAGE);
            return OK;
        }
        try (HikariDataSource dataSource = EmbeddedDefault.open(o.db, "tracestore-sync")) {
            JdbcTraceStorage storage = JdbcTraceStorage.create(dataSource);
            storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            SessionSync sync = SessionSync.builder(store).namespace(o.namespace).visibility(o.visibility)
                    .quietPeriod(o.quietPeriod).progress(terminal ? progress(err) : SessionSync.Progress.none()).build();
            if (!o.follow) {
                return once(sync, o.paths, out, err).problems().isEmpty() ? OK : PROBLEMS;
            }
            Summary summary = new Summary();
            out.printf("Following %s (every %d ms; Ctrl-C to stop)%n", o.paths, o.poll.toMillis());
            Follower follower = sync.follow(o.paths, o.poll, report -> {
                summary.add(report, err);
                report.files().forEach(f -> printFile(f, java.time.LocalTime.now().withNano(0) + " ", out));
            });
            try {
                stop.await();
            } finally {
                follower.close();
            }
            summary.print(out);
            return summary.problems > 0 ? PROBLEMS : OK;
        } catch (TraceStoreException | com.zaxxer.hikari.pool.HikariPool.PoolInitializationException e) {
            err.println("tracestore-sync: the database failed: " + e.getMessage());
            return STORAGE_ERROR;
        }
    }

    /**
     * Syncs once, as the command does: a line for each file that had new messages, the problems
     * on {@code err}, then the summary per agent. The demo syncs its samples with it.
     */
    static SyncReport once(SessionSync sync, List<Path> paths, PrintStream out, PrintStream err) {
        SyncReport report = sync.sync(paths);
        Summary summary = new Summary();
        summary.add(report, err);
        report.files().forEach(f -> printFile(f, "", out));
        summary.print(out);
        return report;
    }

    private static void printFile(SyncedFile f, String prefix, PrintStream out) {
        if (f.messages() > 0) {
            out.printf("%s%-11s +%d messages in %d batch%s  %s%n", prefix, f.agentId(), f.messages(), f.batches(),
                    f.batches() == 1 ? "" : "es", f.file().getFileName());
        }
    }

    /** Files done of total, messages and MB/s, on one line rewritten in place: for a terminal. */
    static SessionSync.Progress progress(PrintStream err) {
        long started = System.nanoTime();
        return (done, total, messages, bytes) -> {
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            err.printf(Locale.ROOT, "\r%d/%d files, %,d messages, %.1f MB/s%s", done, total, messages,
                    bytes / 1e6 / seconds, done == total ? "\n" : "");
        };
    }

    /** Files, syncs and messages per agent, over a run (each file counted once, however often followed). */
    private static final class Summary {
        private record Agent(Set<Path> files, Set<Path> withNew, long[] messages) {
        }

        private final Map<String, Agent> byAgent = new TreeMap<>();
        private final Set<Path> writing = new HashSet<>();
        private final Set<Path> resynced = new HashSet<>();
        private int problems;

        synchronized void add(SyncReport report, PrintStream err) {
            for (SyncedFile f : report.files()) {
                Agent a = byAgent.computeIfAbsent(f.agentId(),
                        k -> new Agent(new HashSet<>(), new HashSet<>(), new long[1]));
                a.files().add(f.file());
                if (f.messages() > 0) {
                    a.withNew().add(f.file());
                    a.messages()[0] += f.messages();
                }
                if (f.resynced()) {
                    resynced.add(f.file());
                }
                if (f.complete()) {
                    writing.remove(f.file());
                } else {
                    writing.add(f.file());
                }
            }
            for (SyncProblem p : report.problems()) {
                err.println("problem: " + p);
                problems++;
            }
        }

        synchronized void print(PrintStream out) {
            if (byAgent.isEmpty()) {
                out.println("No session files synced.");
            }
            byAgent.forEach((agent, a) -> out.printf("%-11s %,d session file%s, %,d with new messages, %,d new messages%n",
                    agent, a.files().size(), a.files().size() == 1 ? "" : "s", a.withNew().size(), a.messages()[0]));
            if (!resynced.isEmpty()) {
                out.printf("%d file%s replaced or truncated since the last sync: synced again from the start, into the same trace%n",
                        resynced.size(), resynced.size() == 1 ? "" : "s");
            }
            if (!writing.isEmpty()) {
                out.printf("%d file%s still being written: the reply at %s end waits for the quiet period%n",
                        writing.size(), writing.size() == 1 ? "" : "s", writing.size() == 1 ? "its" : "their");
            }
            if (problems > 0) {
                out.printf("%d problem%s (above)%n", problems, problems == 1 ? "" : "s");
            }
        }
    }

    /** The command's options. */
    static final class Options {
        String db = EmbeddedDefault.URL;
        String namespace = "local";
        Visibility visibility;
        boolean follow;
        Duration poll = Duration.ofMillis(500);
        Duration quietPeriod = Duration.ofSeconds(5);
        List<Path> paths = new ArrayList<>();
        boolean help;

        static Options parse(String... args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--db" -> o.db = value(args, ++i, a);
                    case "--namespace" -> o.namespace = value(args, ++i, a);
                    case "--visibility" -> {
                        String v = value(args, ++i, a);
                        try {
                            o.visibility = Visibility.valueOf(v.toUpperCase(Locale.ROOT));
                        } catch (IllegalArgumentException e) {
                            throw new IllegalArgumentException("--visibility: must be private, unlisted or public; got " + v);
                        }
                    }
                    case "--follow" -> o.follow = true;
                    case "--poll" -> o.poll = Duration.ofMillis(number(value(args, ++i, a), a, 10, 3_600_000));
                    case "--quiet-period" -> o.quietPeriod = Duration.ofSeconds(number(value(args, ++i, a), a, 0, 86_400));
                    case "--help", "-h" -> o.help = true;
                    default -> {
                        if (a.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option " + a);
                        }
                        o.paths.add(Path.of(a));
                    }
                }
            }
            if (o.paths.isEmpty()) {
                o.paths.addAll(homeSessions());
                if (o.paths.isEmpty() && !o.help) {
                    throw new IllegalArgumentException("no PATH given, and none of ~/.claude/projects, ~/.codex/sessions,"
                            + " ~/.gemini/tmp, ~/.local/share/opencode exists");
                }
            }
            return o;
        }

        /**
         * The agents' session directories in the user's home that exist: Claude Code's, Codex's,
         * Gemini CLI's, and OpenCode's database (or, before it had one, its session files; its
         * data directory also holds logs and snapshots, which are not walked).
         */
        static List<Path> homeSessions() {
            Path home = Path.of(System.getProperty("user.home"));
            List<Path> paths = new ArrayList<>();
            for (Path p : List.of(home.resolve(".claude/projects"), home.resolve(".codex/sessions"), home.resolve(".gemini/tmp"))) {
                if (Files.isDirectory(p)) {
                    paths.add(p);
                }
            }
            String xdg = System.getenv("XDG_DATA_HOME");
            Path openCode = (xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share")).resolve("opencode");
            if (Files.isRegularFile(openCode.resolve("opencode.db"))) {
                paths.add(openCode.resolve("opencode.db"));
            } else if (Files.isDirectory(openCode.resolve("storage/session"))) {
                paths.add(openCode.resolve("storage/session"));
            }
            return paths;
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + ": needs a value");
            }
            return args[i];
        }

        private static long number(String value, String option, long min, long max) {
            try {
                long n = Long.parseLong(value);
                if (n >= min && n <= max) {
                    return n;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new IllegalArgumentException(option + ": must be a whole number from " + min + " to " + max + "; got " + value);
        }
    }
}
