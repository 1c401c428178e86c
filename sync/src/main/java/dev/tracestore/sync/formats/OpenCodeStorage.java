package dev.tracestore.sync.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracestore.sync.SessionDatabase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * OpenCode's older storage, JSON files under {@code ~/.local/share/opencode/storage}, as
 * OpenCode wrote it before its SQLite database (and as its migration to the database reads it):
 * {@code session/<project id>/<session id>.json} is a session, {@code message/<session id>/<message id>.json}
 * its messages, {@code part/<message id>/<part id>.json} a message's parts. A session file is
 * what this format claims, unless OpenCode's database is in the data directory beside
 * {@code storage} (OpenCode moves the files' sessions into it, and leaves the files); its
 * messages are read as {@link OpenCodeDatabase} reads the database's, with the same rules. A message or part file that is not JSON (it may be being
 * written) is held back until it has not changed for the quiet period, then reported and
 * left out; a message changed when its file or one of its parts' did.
 */
public final class OpenCodeStorage implements SessionDatabase {

    @Override
    public String agentId() {
        return "opencode";
    }

    @Override
    public boolean claims(Path file) {
        Path name = file.getFileName();
        Path project = file.getParent();
        Path session = project == null ? null : project.getParent();
        return name != null && name.toString().startsWith("ses_") && name.toString().endsWith(".json")
                && session != null && session.getFileName() != null && session.getFileName().toString().equals("session")
                && !migrated(session.toAbsolutePath().getParent());
    }

    /**
     * Whether OpenCode's database sits beside this storage, in its data directory: OpenCode
     * moved these sessions into it when it first started with one, and leaves the files behind.
     */
    private static boolean migrated(Path storage) {
        Path data = storage.getParent();
        if (data == null) {
            return false;
        }
        OpenCodeDatabase database = new OpenCodeDatabase();
        try (Stream<Path> files = Files.list(data)) {
            return files.anyMatch(database::claims);
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public List<Path> companions(Path file) {
        return List.of(messages(file)); // a directory: it changes when a message is added
    }

    @Override
    public Source open(Path file) throws IOException {
        JsonNode info = Json.MAPPER.readTree(file.toFile());
        if (info == null || !info.isObject()) {
            throw new IOException("not a JSON object");
        }
        String id = file.getFileName().toString().replaceFirst("\\.json$", "");
        long created = info.path("time").path("created").asLong(0);
        Session session = new Session(id, Json.text(info, "title"), Titles.project(Json.text(info, "directory")),
                created > 0 ? Instant.ofEpochMilli(created) : null);
        return new FilesSource(file, session);
    }

    /** {@code storage/message/<session id>}, from {@code storage/session/<project id>/<session id>.json}. */
    private static Path messages(Path sessionFile) {
        Path storage = sessionFile.toAbsolutePath().getParent().getParent().getParent();
        return storage.resolve("message").resolve(sessionFile.getFileName().toString().replaceFirst("\\.json$", ""));
    }

    private static final class FilesSource implements Source {
        private final Path storage;
        private final Path messages;
        private final Session session;

        FilesSource(Path sessionFile, Session session) {
            this.messages = messages(sessionFile);
            this.storage = messages.getParent().getParent();
            this.session = session;
        }

        @Override
        public List<Session> sessions() {
            return List.of(session);
        }

        @Override
        public List<Entry> messagesAfter(Session s, String afterId, long firstPosition, int limit) throws IOException {
            List<String> ids = ids(messages).stream().filter(id -> afterId == null || id.compareTo(afterId) > 0)
                    .limit(limit + 1L).toList();
            int n = Math.min(limit, ids.size());
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                entries.add(entry(ids.get(i), firstPosition + i, i + 1 < ids.size()));
            }
            return entries;
        }

        private Entry entry(String id, long sequence, boolean laterExists) throws IOException {
            Path file = messages.resolve(id + ".json");
            Instant changed = modified(file);
            ObjectNode info = read(file);
            if (info == null) {
                return new Entry(id, null, false, changed, "message file is not a JSON object: skipped");
            }
            Path partsDir = storage.resolve("part").resolve(id);
            List<ObjectNode> parts = new ArrayList<>();
            String problem = null;
            for (String partId : ids(partsDir)) {
                Path p = partsDir.resolve(partId + ".json");
                Instant m = modified(p);
                changed = m.isAfter(changed) ? m : changed;
                ObjectNode part = read(p);
                if (part == null) {
                    problem = "part file " + partId + ".json is not a JSON object: left out";
                    continue;
                }
                part.put("id", partId);
                part.remove("messageID");
                part.remove("sessionID");
                parts.add(part);
            }
            Entry e = OpenCodeMessages.entry(id, sequence, info, parts, laterExists, changed);
            // A file that does not parse may be being written: wait for quiet before leaving it out.
            return problem == null ? e : new Entry(id, e.message(), false, changed, problem);
        }

        @Override
        public long countThrough(Session s, String id) throws IOException {
            return ids(messages).stream().filter(m -> m.compareTo(id) <= 0).count();
        }

        @Override
        public void close() {
        }

        /** The ids of the JSON files in a directory, sorted; none if it is absent. */
        private static List<String> ids(Path dir) throws IOException {
            try (Stream<Path> files = Files.list(dir)) {
                return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json"))
                        .map(n -> n.substring(0, n.length() - ".json".length())).sorted().toList();
            } catch (NoSuchFileException e) {
                return List.of();
            }
        }

        private static Instant modified(Path file) throws IOException {
            try {
                return Files.getLastModifiedTime(file).toInstant();
            } catch (NoSuchFileException e) {
                return Instant.EPOCH;
            }
        }

        private static ObjectNode read(Path file) {
            try {
                JsonNode n = Json.MAPPER.readTree(file.toFile());
                return n instanceof ObjectNode o ? o : null;
            } catch (IOException e) {
                return null;
            }
        }
    }
}
