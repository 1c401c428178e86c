package dev.tracestore.sync.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tracestore.sync.SessionDatabase;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * OpenCode's SQLite database, {@code opencode.db} ({@code opencode-<channel>.db} for a channel
 * build) in OpenCode's data directory ({@code ~/.local/share/opencode}), which OpenCode writes
 * since it moved off JSON files: tables {@code session}, {@code message} and {@code part}, a
 * message's and a part's fields as JSON in their {@code data} column. Read-only, in one read
 * transaction per pass, so a pass sees one consistent state while OpenCode goes on writing;
 * reading it needs {@code org.xerial:sqlite-jdbc} on the class path.
 *
 * <p>Every session is a trace; every message one message, in id order (OpenCode's ids ascend as
 * messages are written): its text is its text parts' (synthetic and ignored ones left out),
 * joined by a blank line; its tool calls its {@code tool} parts; its parts, all of them, its
 * parts JSON. A reply's tokens are the sum of its {@code step-finish} parts' (the message's own
 * {@code tokens} hold only its last step's), or its own when it has none: input (OpenCode's is
 * the uncached input), output plus reasoning, cache read and cache write. A reply is held back
 * until it has its completion time or an error, a prompt until the reply to it has begun (its
 * parts are written after it), each at most until it has not changed for the quiet period. A
 * message with no part is not sent. The title is the session's, as OpenCode changes it; the
 * project is the last segment of the session's directory; the model the last reply's.
 */
public final class OpenCodeDatabase implements SessionDatabase {
    private static final Pattern NAME = Pattern.compile("opencode(-[A-Za-z0-9._-]+)?\\.db");

    @Override
    public String agentId() {
        return "opencode";
    }

    @Override
    public boolean claims(Path file) {
        return file.getFileName() != null && NAME.matcher(file.getFileName().toString()).matches();
    }

    @Override
    public List<Path> companions(Path file) {
        return List.of(file.resolveSibling(file.getFileName() + "-wal"));
    }

    @Override
    public Source open(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("open_mode", "1"); // SQLITE_OPEN_READONLY: never a write to OpenCode's database
        p.setProperty("busy_timeout", "5000");
        Connection c;
        try {
            c = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath(), p);
        } catch (SQLException e) {
            if (e.getMessage() != null && e.getMessage().startsWith("No suitable driver")) {
                throw new IOException("reading OpenCode's database needs org.xerial:sqlite-jdbc on the class path");
            }
            throw new IOException("cannot open " + file + " (" + e.getMessage() + ")", e);
        }
        try {
            c.setAutoCommit(false); // one read transaction: one state of the database for the whole pass
            return new DatabaseSource(c);
        } catch (SQLException e) {
            close(c);
            throw new IOException("cannot read " + file + " (" + e.getMessage() + ")", e);
        }
    }

    private static void close(Connection c) {
        try {
            c.close();
        } catch (SQLException ignored) {
            // read-only: nothing is lost
        }
    }

    private static final class DatabaseSource implements Source {
        private final Connection c;

        DatabaseSource(Connection c) {
            this.c = c;
        }

        @Override
        public List<Session> sessions() throws IOException {
            List<Session> sessions = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT * FROM session ORDER BY id");
                 ResultSet rs = ps.executeQuery()) {
                Set<String> columns = new HashSet<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    columns.add(rs.getMetaData().getColumnName(i));
                }
                while (rs.next()) {
                    String directory = columns.contains("directory") ? rs.getString("directory") : null;
                    long created = columns.contains("time_created") ? rs.getLong("time_created") : 0;
                    sessions.add(new Session(rs.getString("id"), columns.contains("title") ? rs.getString("title") : null,
                            Titles.project(directory), created > 0 ? Instant.ofEpochMilli(created) : null));
                }
            } catch (SQLException e) {
                throw failed("its sessions", e);
            }
            return sessions;
        }

        @Override
        public List<Entry> messagesAfter(Session session, String afterId, long firstPosition, int limit) throws IOException {
            List<String> ids = new ArrayList<>();
            List<Long> updated = new ArrayList<>();
            List<String> data = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, time_updated, data FROM message"
                    + " WHERE session_id = ? AND id > ? ORDER BY id LIMIT ?")) {
                ps.setString(1, session.id());
                ps.setString(2, afterId == null ? "" : afterId);
                ps.setInt(3, limit + 1); // one more: whether a message follows the last
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        ids.add(rs.getString(1));
                        updated.add(rs.getLong(2));
                        data.add(rs.getString(3));
                    }
                }
            } catch (SQLException e) {
                throw failed("session " + session.id() + "'s messages", e);
            }
            int n = Math.min(limit, ids.size());
            if (n == 0) {
                return List.of();
            }
            Map<String, List<ObjectNode>> parts = new HashMap<>();
            Map<String, Long> partsUpdated = new HashMap<>();
            Map<String, String> bad = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT message_id, id, time_updated, data FROM part"
                    + " WHERE session_id = ? AND message_id >= ? AND message_id <= ? ORDER BY message_id, id")) {
                ps.setString(1, session.id());
                ps.setString(2, ids.get(0));
                ps.setString(3, ids.get(n - 1));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String message = rs.getString(1);
                        partsUpdated.merge(message, rs.getLong(3), Math::max);
                        ObjectNode part = object(rs.getString(4));
                        if (part == null) {
                            bad.put(message, "part " + rs.getString(2) + " is not a JSON object: left out");
                            continue;
                        }
                        part.put("id", rs.getString(2));
                        parts.computeIfAbsent(message, k -> new ArrayList<>()).add(part);
                    }
                }
            } catch (SQLException e) {
                throw failed("session " + session.id() + "'s parts", e);
            }
            List<Entry> entries = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                String id = ids.get(i);
                Instant changed = Instant.ofEpochMilli(Math.max(updated.get(i), partsUpdated.getOrDefault(id, 0L)));
                ObjectNode info = object(data.get(i));
                if (info == null) {
                    entries.add(new Entry(id, null, true, changed, "not a JSON object: skipped"));
                    continue;
                }
                Entry e = OpenCodeMessages.entry(id, firstPosition + i, info, parts.getOrDefault(id, List.of()),
                        i + 1 < ids.size(), changed);
                entries.add(bad.containsKey(id) && e.problem() == null
                        ? new Entry(e.id(), e.message(), e.complete(), e.changedAt(), bad.get(id)) : e);
            }
            return entries;
        }

        @Override
        public long countThrough(Session session, String id) throws IOException {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM message WHERE session_id = ? AND id <= ?")) {
                ps.setString(1, session.id());
                ps.setString(2, id);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (SQLException e) {
                throw failed("session " + session.id() + "'s messages", e);
            }
        }

        @Override
        public void close() {
            try {
                c.rollback(); // ends the read transaction
            } catch (SQLException ignored) {
                // closing ends it as well
            }
            OpenCodeDatabase.close(c);
        }

        private static IOException failed(String what, SQLException e) {
            return new IOException("cannot read " + what + " (" + e.getMessage() + ")", e);
        }
    }

    /** The text as a JSON object, or null. */
    static ObjectNode object(String json) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode n = Json.MAPPER.readTree(json);
            return n instanceof ObjectNode o ? o : null;
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
