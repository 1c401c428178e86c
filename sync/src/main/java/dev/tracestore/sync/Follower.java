package dev.tracestore.sync;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows session files as they grow: a thread that, every poll interval, looks at each known
 * file's size and modification time, and syncs the files that changed, the new ones, and those
 * whose held-back reply has gone quiet since. Directories are searched again for new files
 * every {@value #RESCAN_POLLS} polls. An idle file costs one {@code stat} per poll; nothing is
 * kept on disk, so a follower started again resumes from the cursors in the store.
 *
 * <p>Made by {@link SessionSync#follow}; {@link #close()} stops it.
 */
public final class Follower implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Follower.class);
    static final int RESCAN_POLLS = 10;

    /** What the follower last saw of a file, and whether the store then held all of it. */
    private record Seen(long size, Instant modified, boolean complete) {
    }

    private final SessionSync sync;
    private final List<Path> paths;
    private final Duration pollInterval;
    private final Consumer<SyncReport> listener;
    private final Map<Path, Seen> seen = new HashMap<>();
    private final Thread thread;
    private volatile boolean running = true;
    private List<Path> files = List.of();
    private long polls;

    Follower(SessionSync sync, List<Path> paths, Duration pollInterval, Consumer<SyncReport> listener) {
        this.sync = sync;
        this.paths = List.copyOf(paths);
        this.pollInterval = pollInterval;
        this.listener = listener;
        this.thread = new Thread(this::run, "tracestore-sync-follower");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    private void run() {
        while (running) {
            try {
                SyncReport report = poll();
                if (!report.files().isEmpty() || !report.problems().isEmpty()) {
                    listener.accept(report);
                }
            } catch (RuntimeException e) {
                log.warn("Sync pass failed; the next poll retries from the cursors in the store", e);
            }
            synchronized (this) {
                try {
                    if (running) {
                        wait(pollInterval.toMillis());
                    }
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** One pass: syncs what changed since the last one. */
    SyncReport poll() {
        List<SyncProblem> problems = new ArrayList<>();
        if (polls++ % RESCAN_POLLS == 0) {
            List<SyncProblem> listing = new ArrayList<>();
            files = sync.sessionFiles(paths, listing, false);
            if (polls == 1) {
                problems.addAll(listing); // a missing path is said once, not every rescan
            }
            seen.keySet().retainAll(files);
        }
        List<SyncedFile> synced = new ArrayList<>();
        Instant now = sync.clock().instant();
        for (Path file : files) {
            Seen current = look(file);
            if (current == null) {
                continue; // deleted since the listing; its trace stays as it is
            }
            Seen last = seen.get(file);
            boolean changed = last == null || last.size() != current.size() || !last.modified().equals(current.modified());
            boolean quietNow = last != null && !last.complete() && !current.modified().plus(sync.quietPeriod()).isAfter(now);
            if (!changed && !quietNow) {
                continue;
            }
            List<SyncedFile> done = sync.syncFile(file, problems);
            synced.addAll(done);
            // A file that could not be synced (not a session, replaced) is looked at again when it changes.
            seen.put(file, new Seen(current.size(), current.modified(), done.stream().allMatch(SyncedFile::complete)));
        }
        return new SyncReport(synced, problems);
    }

    /** The file's size and modification time, with its companions' (a store's {@code -wal} file); null if it is gone. */
    private Seen look(Path file) {
        long size = 0;
        Instant modified = Instant.EPOCH;
        for (Path p : sync.watched(file)) {
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (IOException gone) {
                if (p.equals(file)) {
                    return null;
                }
                continue; // a companion that is not there now (SQLite removes its -wal file at close)
            }
            size += a.size();
            Instant m = a.lastModifiedTime().toInstant();
            modified = m.isAfter(modified) ? m : modified;
        }
        return new Seen(size, modified, false);
    }

    /** Stops following and waits for the pass under way, if any, to end. */
    @Override
    public void close() {
        synchronized (this) {
            running = false;
            notifyAll(); // not an interrupt: a pass under way finishes its batch
        }
        try {
            thread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
