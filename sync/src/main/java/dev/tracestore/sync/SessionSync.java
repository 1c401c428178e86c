package dev.tracestore.sync;

import dev.tracestore.TraceStore;
import dev.tracestore.Visibility;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.stream.Stream;

/**
 * Syncs agent session files into a {@link TraceStore}, one trace per session, exactly once:
 * each trace's ingest cursor records how far its file has been read, so a sync reads only
 * what was appended since the last one, and a sync over unchanged files writes nothing.
 *
 * <p>For each file: the {@link SessionFormat} that recognises it names the session; its trace
 * (namespace, session id) is looked up; if the trace holds a cursor, the file must still start
 * as it did and be at least as long, else it was replaced or truncated, and the trace's
 * messages are removed ({@link TraceStore#truncateMessages}, which resets the cursor in the
 * same write) so that it shows what the file now says, keeping its id and share link; then the
 * file is read from the cursor on, as a stream, and its new messages are sent
 * in batches of about {@link Builder#batchSize}, each with
 * {@link TraceStore#appendMessages}, which advances the cursor in the same single write that
 * adds the batch to the trace's count and totals. So the cached count equals the rows without
 * a recount, and a batch that is sent again (its acknowledgement was lost, or a sync was
 * killed after it landed) is refused by the cursor instead of counted twice.
 *
 * <p>A message whose lines may still be arriving (a Claude Code reply being streamed) is held
 * back until a line shows it is complete, or the file has not changed for the
 * {@linkplain Builder#quietPeriod quiet period}. A trace made before, without a cursor (by
 * {@link TraceStore#upsertMessagesBatch}), is adopted: the file is sent from its start and the
 * trace recounted once. A file that disappears leaves its trace as it is. Bad input never
 * stops a sync: a malformed, non-UTF-8 or over-long line, an unknown record, a message the
 * store refuses, or a path that is not a session is a {@link SyncProblem} with its file and
 * line, and the rest is synced. Storage failures do stop it ({@link dev.tracestore.TraceStoreException});
 * the next sync goes on from the cursors.
 *
 * <p>An agent that keeps its sessions in a store of many records (OpenCode's SQLite database)
 * is read through a {@link SessionDatabase} instead, with the same guarantees: each session's
 * trace holds as its cursor how many of the session's messages were read, and the last one's id.
 *
 * <p>Safe to use from several threads on different files; two syncs of one file, in one
 * process or several, never send its lines twice (the loser of the cursor race reports it).
 */
public final class SessionSync {
    /** Reports progress: files done of files found, and messages sent and bytes read so far. */
    @FunctionalInterface
    public interface Progress {
        void update(int filesDone, int filesTotal, long messages, long bytesRead);

        /** Progress that reports nothing. */
        static Progress none() {
            return (done, total, messages, bytes) -> {};
        }
    }

    /** What every file's sync needs, fixed when the sync is built. */
    record Settings(TraceStore store, String namespace, Visibility visibility, int batchSize, Duration quietPeriod,
            int maxLineBytes, List<SessionFormat> formats, List<SessionDatabase> databases, Clock clock) {
    }

    private final Settings settings;
    private final Progress progress;

    private SessionSync(Builder b) {
        this.settings = new Settings(b.store, b.namespace, b.visibility, b.batchSize, b.quietPeriod, b.maxLineBytes,
                List.copyOf(b.formats != null ? b.formats : installedFormats()),
                List.copyOf(b.databases != null ? b.databases : installedDatabases()), b.clock);
        this.progress = b.progress;
    }

    /** A sync into {@code store}. */
    public static Builder builder(TraceStore store) {
        return new Builder(store);
    }

    /** The formats on the class path, found with {@link ServiceLoader}: Claude Code, Codex and Gemini CLI, and any an application adds. */
    public static List<SessionFormat> installedFormats() {
        List<SessionFormat> formats = new ArrayList<>();
        ServiceLoader.load(SessionFormat.class).forEach(formats::add);
        return formats;
    }

    /** The session databases on the class path, found with {@link ServiceLoader}: OpenCode's, and any an application adds. */
    public static List<SessionDatabase> installedDatabases() {
        List<SessionDatabase> databases = new ArrayList<>();
        ServiceLoader.load(SessionDatabase.class).forEach(databases::add);
        return databases;
    }

    /**
     * Follows the session files at or under {@code paths} until the returned follower is
     * closed: every {@code pollInterval}, the files that grew, new files, and files whose
     * held-back reply has gone quiet are synced, and each pass that synced or met something is
     * given to {@code listener} (on the follower's thread). A prompt or tool result appended to
     * a file is in the store within about one poll interval; a reply, once the next line or the
     * quiet period says it is complete. Stopping and starting again resumes from the cursors in
     * the store: the follower keeps no state on disk.
     */
    public Follower follow(List<Path> paths, Duration pollInterval, java.util.function.Consumer<SyncReport> listener) {
        if (pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("pollInterval: must be positive; got " + pollInterval);
        }
        return new Follower(this, paths, pollInterval, Objects.requireNonNull(listener, "listener"));
    }

    Clock clock() {
        return settings.clock();
    }

    Duration quietPeriod() {
        return settings.quietPeriod();
    }

    /** The formats this sync reads, in the order they are asked to recognise a file. */
    public List<SessionFormat> formats() {
        return settings.formats();
    }

    /**
     * Syncs every session file at or under each path: a file is read whatever its name; a
     * directory is searched for the files some format {@linkplain SessionFormat#claims claims}.
     */
    public SyncReport sync(List<Path> paths) {
        List<SyncProblem> problems = new ArrayList<>();
        List<Path> files = sessionFiles(paths, problems, true);
        List<SyncedFile> synced = new ArrayList<>();
        long messages = 0;
        long bytes = 0;
        for (int i = 0; i < files.size(); i++) {
            for (SyncedFile f : syncFile(files.get(i), problems)) {
                synced.add(f);
                messages += f.messages();
                bytes += f.bytesRead();
            }
            progress.update(i + 1, files.size(), messages, bytes);
        }
        return new SyncReport(synced, problems);
    }

    /**
     * Syncs one file (a session file, or a store of sessions), adding what it could not take to
     * {@code problems}; the sessions synced, none if it was not synced.
     */
    List<SyncedFile> syncFile(Path file, List<SyncProblem> problems) {
        try {
            SessionDatabase database = database(file);
            if (database != null) {
                return new DatabaseSync(settings, database, file, problems).run();
            }
            SyncedFile f = new FileSync(settings, file, problems).run();
            return f == null ? List.of() : List.of(f);
        } catch (IOException | UncheckedIOException e) {
            if (!Files.exists(file)) {
                return List.of(); // it went away meanwhile: its trace stays as it is
            }
            problems.add(new SyncProblem(file, 0, "cannot read: " + e.getMessage()));
            return List.of();
        }
    }

    /** The files whose change means {@code file}'s sessions changed: itself, and a store's companions. */
    List<Path> watched(Path file) {
        SessionDatabase database = database(file);
        if (database == null) {
            return List.of(file);
        }
        List<Path> watched = new ArrayList<>(List.of(file));
        watched.addAll(database.companions(file));
        return watched;
    }

    private SessionDatabase database(Path file) {
        return settings.databases().stream().filter(d -> d.claims(file)).findFirst().orElse(null);
    }

    /**
     * The files at or under {@code paths} that some format claims, each once, in a stable order.
     *
     * @param reportEmpty whether a directory with no session file is a problem (not for a
     *                    follower, whose directories may fill later)
     */
    List<Path> sessionFiles(List<Path> paths, List<SyncProblem> problems, boolean reportEmpty) {
        List<Path> files = new ArrayList<>();
        for (Path root : paths) {
            if (Files.isRegularFile(root)) {
                files.add(root);
            } else if (Files.isDirectory(root)) {
                try (Stream<Path> walk = Files.walk(root)) {
                    List<Path> found = walk.filter(Files::isRegularFile)
                            .filter(f -> settings.formats().stream().anyMatch(s -> s.claims(f)) || database(f) != null)
                            .sorted().toList();
                    if (found.isEmpty() && reportEmpty) {
                        problems.add(new SyncProblem(root, 0, "no session files under this directory"));
                    }
                    files.addAll(found);
                } catch (IOException | UncheckedIOException e) {
                    problems.add(new SyncProblem(root, 0, "cannot list: " + e.getMessage()));
                }
            } else {
                problems.add(new SyncProblem(root, 0, "no such file or directory"));
            }
        }
        return files.stream().distinct().toList();
    }

    /** Builds a {@link SessionSync}. */
    public static final class Builder {
        private final TraceStore store;
        private String namespace = "local";
        private Visibility visibility;
        private int batchSize = 500;
        private Duration quietPeriod = Duration.ofSeconds(5);
        private int maxLineBytes = 16 * 1024 * 1024;
        private List<SessionFormat> formats;
        private List<SessionDatabase> databases;
        private Clock clock = Clock.systemUTC();
        private Progress progress = Progress.none();

        private Builder(TraceStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** The namespace of the traces the sessions go to (default {@code local}). */
        public Builder namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace, "namespace");
            return this;
        }

        /**
         * The visibility a trace gets when a sync creates it; null (the default) leaves it to
         * the store, which makes new traces private. A sync never changes an existing trace's.
         */
        public Builder visibility(Visibility visibility) {
            this.visibility = visibility;
            return this;
        }

        /**
         * About how many messages go in one batch (default 500): a batch ends at the first
         * point after this many where reading can resume, so it may hold a few more. At most
         * the store's batch limit.
         */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batchSize: must be at least 1; got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /**
         * How long a file must go unchanged before a message still held back at its end (a
         * reply whose lines may still be arriving) is sent as complete (default 5 seconds).
         * {@link Duration#ZERO} for files that are finished.
         */
        public Builder quietPeriod(Duration quietPeriod) {
            if (quietPeriod.isNegative()) {
                throw new IllegalArgumentException("quietPeriod: must not be negative; got " + quietPeriod);
            }
            this.quietPeriod = quietPeriod;
            return this;
        }

        /** Lines longer than this many bytes are reported and skipped, unread (default 16 MiB). */
        public Builder maxLineBytes(int maxLineBytes) {
            if (maxLineBytes < 1024) {
                throw new IllegalArgumentException("maxLineBytes: must be at least 1024; got " + maxLineBytes);
            }
            this.maxLineBytes = maxLineBytes;
            return this;
        }

        /** The formats to read, tried in this order (default: {@link #installedFormats()}). */
        public Builder formats(List<SessionFormat> formats) {
            this.formats = List.copyOf(formats);
            return this;
        }

        /** The session databases to read, tried in this order (default: {@link #installedDatabases()}). */
        public Builder databases(List<SessionDatabase> databases) {
            this.databases = List.copyOf(databases);
            return this;
        }

        /** The clock the quiet period is measured with (default the system's). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** Told after each file. */
        public Builder progress(Progress progress) {
            this.progress = Objects.requireNonNull(progress, "progress");
            return this;
        }

        public SessionSync build() {
            return new SessionSync(this);
        }
    }
}
