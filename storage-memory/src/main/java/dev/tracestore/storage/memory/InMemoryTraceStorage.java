package dev.tracestore.storage.memory;

import dev.tracestore.IngestCursorConflictException;
import dev.tracestore.Message;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import dev.tracestore.spi.TraceStorage;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe in-memory {@link TraceStorage}, for tests and small embeddings. Nothing
 * survives the JVM.
 *
 * <p>Each trace has its own lock: writers to different traces never wait for each other, and
 * there is no global lock. A trace's messages sit in a hash map by id and a list in
 * conversation order that writes append to; a write that does not extend the order (an
 * out-of-order or replaced message) makes the next read re-sort the list. Reads of a trace row take no lock. A batch is applied under its
 * trace's lock and undone if it fails midway, so it is all or nothing. Listing traces scans
 * the namespace's traces (O(n log page) per page), so keep namespaces to the thousands.
 */
public final class InMemoryTraceStorage implements TraceStorage {
    private static final Comparator<StoredTrace> LISTING_ORDER =
            Comparator.comparing(StoredTrace::updatedAt).thenComparingLong(StoredTrace::id).reversed();

    private final AtomicLong lastId = new AtomicLong();
    private final Map<Long, TraceState> byId = new ConcurrentHashMap<>();
    private final Map<Key, TraceState> byKey = new ConcurrentHashMap<>();
    private final Map<String, Set<TraceState>> byNamespace = new ConcurrentHashMap<>();
    private final Map<String, TraceState> byShareKey = new ConcurrentHashMap<>();
    private final Runnable afterMessageWrite;

    private InMemoryTraceStorage(Runnable afterMessageWrite) {
        this.afterMessageWrite = afterMessageWrite;
    }

    /** A new, empty storage. */
    public static InMemoryTraceStorage create() {
        return new InMemoryTraceStorage(() -> {});
    }

    /**
     * A storage that runs {@code hook} after writing each message of a batch, inside the
     * batch, so that tests can make a batch fail midway.
     */
    static InMemoryTraceStorage withWriteHook(Runnable hook) {
        return new InMemoryTraceStorage(hook);
    }

    /** Sets a trace's count to unknown, as rows written before counts existed have it. For tests. */
    void forgetCount(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.row = withCounts(s.row, null, s.row.totals(), s.row.updatedAt());
        }
    }

    /** Sets a trace's totals to unknown, as rows written before totals existed have them. For tests. */
    void forgetTotals(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.row = withCounts(s.row, s.row.messageCount(), null, s.row.updatedAt());
        }
    }

    /** How many messages the storage holds for the trace, whatever its state; 0 once it is removed. For tests. */
    long storedMessages(long traceId) {
        TraceState s = byId.get(traceId);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            return s.byExternalId.size();
        }
    }

    @Override
    public StoredTrace upsertTrace(TraceInput in, Instant now) {
        Key key = new Key(in.namespace(), in.externalId());
        while (true) {
            TraceState s = byKey.computeIfAbsent(key, k -> create(in, now));
            synchronized (s) {
                if (s.removed) {
                    continue; // lost a race with the removal of a deleted trace: create anew
                }
                if (s.deleting) {
                    throw new TraceNotFoundException(s.id, in.namespace(), in.externalId());
                }
                StoredTrace r = s.row;
                Visibility visibility = or(in.visibility(), r.visibility());
                if (visibility == Visibility.PRIVATE && r.shareToken() != null) {
                    byShareKey.remove(r.shareToken().key(), s);
                }
                s.row = new StoredTrace(r.id(), r.namespace(), r.externalId(),
                        or(in.title(), r.title()), or(in.agentId(), r.agentId()), or(in.model(), r.model()),
                        visibility, or(in.projectName(), r.projectName()),
                        r.createdAt(), now, r.messageCount(), r.totals(), r.ingestCursor(),
                        visibility == Visibility.PRIVATE ? null : r.shareToken());
                return s.row;
            }
        }
    }

    private TraceState create(TraceInput in, Instant now) {
        long id = lastId.incrementAndGet();
        StoredTrace row = new StoredTrace(id, in.namespace(), in.externalId(), in.title(), in.agentId(), in.model(),
                or(in.visibility(), Visibility.PRIVATE), in.projectName(), or(in.createdAt(), now), now, 0L,
                TraceTotals.NONE, null, null);
        TraceState s = new TraceState(id, new Key(in.namespace(), in.externalId()), row);
        byId.put(id, s);
        byNamespace.computeIfAbsent(in.namespace(), ns -> ConcurrentHashMap.newKeySet()).add(s);
        return s;
    }

    @Override
    public Optional<StoredTrace> findTrace(long traceId) {
        TraceState s = byId.get(traceId);
        return s == null ? Optional.empty() : s.visibleRow();
    }

    @Override
    public Optional<StoredTrace> findTrace(String namespace, String externalId) {
        TraceState s = byKey.get(new Key(namespace, externalId));
        return s == null ? Optional.empty() : s.visibleRow();
    }

    @Override
    public Optional<StoredTrace> findTraceByShareKey(String shareKey) {
        TraceState s = byShareKey.get(shareKey);
        return s == null ? Optional.empty() : s.visibleRow();
    }

    @Override
    public boolean createShareToken(long traceId, ShareToken token) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            StoredTrace r = s.row;
            if (r.shareToken() != null || r.visibility() == Visibility.PRIVATE) {
                return false;
            }
            if (byShareKey.putIfAbsent(token.key(), s) != null) {
                throw new IllegalStateException("share key collision: another trace holds this key");
            }
            s.row = withShareToken(r, token);
            return true;
        }
    }

    @Override
    public void revokeShareToken(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            StoredTrace r = s.row;
            if (r.shareToken() != null) {
                byShareKey.remove(r.shareToken().key(), s);
                s.row = withShareToken(r, null);
            }
        }
    }

    @Override
    public void writeMessages(long traceId, List<Message> messages, long countIncrement, TraceTotals added,
            CursorMove cursor, Instant now) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            if (cursor != null && !Objects.equals(cursor.expected(), s.row.ingestCursor())) {
                throw new IngestCursorConflictException(traceId, cursor.expected(), s.row.ingestCursor());
            }
            List<Message> inOrder = new ArrayList<>(messages);
            inOrder.sort(MessagePosition.ORDER); // usually already in order: linear
            int orderedBefore = s.ordered.size();
            boolean dirtyBefore = s.dirty;
            Deque<Message[]> undo = new ArrayDeque<>(messages.size());
            try {
                for (Message m : inOrder) {
                    Message old = s.byExternalId.put(m.externalId(), m);
                    undo.push(new Message[] {m, old});
                    s.append(m, old);
                    afterMessageWrite.run();
                }
            } catch (RuntimeException | Error e) {
                for (Message[] step : undo) {
                    if (step[1] == null) {
                        s.byExternalId.remove(step[0].externalId());
                    } else {
                        s.byExternalId.put(step[1].externalId(), step[1]);
                    }
                }
                s.ordered.subList(orderedBefore, s.ordered.size()).clear();
                s.dirty = dirtyBefore;
                throw e;
            }
            // Published last: a reader of the row, which takes no lock, never sees the count of a batch that fails.
            Long count = s.row.messageCount() == null ? null : s.row.messageCount() + countIncrement;
            TraceTotals totals = s.row.totals() == null ? null : s.row.totals().plus(added);
            StoredTrace r = s.row;
            s.row = new StoredTrace(r.id(), r.namespace(), r.externalId(), r.title(), r.agentId(), r.model(),
                    r.visibility(), r.projectName(), r.createdAt(), now, count, totals,
                    cursor == null ? r.ingestCursor() : cursor.next(), r.shareToken());
        }
    }

    @Override
    public long countMessages(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            return s.byExternalId.size();
        }
    }

    @Override
    public TraceTotals sumMessages(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            return TraceTotals.of(new ArrayList<>(s.byExternalId.values()));
        }
    }

    @Override
    public RecountResult recount(long traceId) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            StoredTrace before = s.row;
            long actual = s.byExternalId.size();
            TraceTotals totals = TraceTotals.of(new ArrayList<>(s.byExternalId.values()));
            s.row = withCounts(before, actual, totals, before.updatedAt());
            return new RecountResult(before.messageCount(), actual, before.totals(), totals);
        }
    }

    @Override
    public RecountResult truncateMessages(long traceId, long fromSequence, CursorMove cursor, Instant now) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            if (!Objects.equals(cursor.expected(), s.row.ingestCursor())) {
                throw new IngestCursorConflictException(traceId, cursor.expected(), s.row.ingestCursor());
            }
            s.byExternalId.values().removeIf(m -> m.sequence() >= fromSequence);
            s.dirty = true;
            StoredTrace before = s.row;
            long actual = s.byExternalId.size();
            TraceTotals totals = TraceTotals.of(new ArrayList<>(s.byExternalId.values()));
            StoredTrace r = withCounts(before, actual, totals, now);
            s.row = new StoredTrace(r.id(), r.namespace(), r.externalId(), r.title(), r.agentId(), r.model(),
                    r.visibility(), r.projectName(), r.createdAt(), r.updatedAt(), r.messageCount(), r.totals(), cursor.next(),
                    r.shareToken());
            return new RecountResult(before.messageCount(), actual, before.totals(), totals);
        }
    }

    @Override
    public List<StoredTrace> listTraces(TraceListQuery query) {
        // Keep the `limit` first rows in listing order: a max-heap on that order, evicting the last.
        PriorityQueue<StoredTrace> firstRows = new PriorityQueue<>(LISTING_ORDER.reversed());
        for (TraceState s : byNamespace.getOrDefault(query.namespace(), Set.of())) {
            s.visibleRow().filter(query::matches).filter(query::isAfterCursor).ifPresent(row -> {
                firstRows.add(row);
                if (firstRows.size() > query.limit()) {
                    firstRows.poll();
                }
            });
        }
        List<StoredTrace> rows = new ArrayList<>(firstRows);
        rows.sort(LISTING_ORDER);
        return rows;
    }

    @Override
    public List<Message> listMessages(long traceId, MessagePosition after, int limit) {
        TraceState s = visible(traceId);
        synchronized (s) {
            s.requireVisible();
            List<Message> ordered = s.ordered();
            int from = 0;
            if (after != null) {
                int at = Collections.binarySearch(ordered, probe(after), MessagePosition.ORDER);
                from = at >= 0 ? at + 1 : -at - 1;
            }
            return new ArrayList<>(ordered.subList(from, Math.min(ordered.size(), from + limit)));
        }
    }

    @Override
    public List<Long> tracesWithUnknownCount(long afterId, int limit) {
        return byId.values().stream()
                .filter(s -> s.id > afterId && !s.deleting && (s.row.messageCount() == null || s.row.totals() == null))
                .map(s -> s.id).sorted().limit(limit).toList();
    }

    @Override
    public boolean markDeleting(long traceId) {
        TraceState s = byId.get(traceId);
        if (s == null) {
            return false;
        }
        synchronized (s) {
            if (s.removed) {
                return false;
            }
            s.deleting = true;
            return true;
        }
    }

    @Override
    public int deleteMessages(long traceId, int chunkSize) {
        TraceState s = byId.get(traceId);
        if (s == null) {
            return 0;
        }
        synchronized (s) {
            if (!s.deleting) {
                throw new IllegalStateException("trace " + traceId + " must be marked as deleting first");
            }
            List<Message> ordered = s.ordered(); // any order would do; the tail is cheapest to cut
            int n = Math.min(chunkSize, ordered.size());
            List<Message> chunk = ordered.subList(ordered.size() - n, ordered.size());
            for (Message m : chunk) {
                s.byExternalId.remove(m.externalId());
            }
            chunk.clear();
            return n;
        }
    }

    @Override
    public void removeTrace(long traceId) {
        TraceState s = byId.get(traceId);
        if (s == null) {
            return;
        }
        synchronized (s) {
            if (!s.deleting || !s.byExternalId.isEmpty()) {
                throw new IllegalStateException("trace " + traceId + " must be tombstoned and emptied first");
            }
            s.removed = true;
            byKey.remove(s.key, s);
            if (s.row.shareToken() != null) {
                byShareKey.remove(s.row.shareToken().key(), s);
            }
            byId.remove(traceId, s);
            Set<TraceState> namespace = byNamespace.get(s.key.namespace());
            if (namespace != null) {
                namespace.remove(s);
            }
        }
    }

    @Override
    public List<Long> deletingTraces(int limit) {
        return byId.values().stream().filter(s -> s.deleting && !s.removed)
                .map(s -> s.id).sorted().limit(limit).toList();
    }

    @Override
    public List<Long> traceIds(String namespace, long afterId, int limit) {
        return byNamespace.getOrDefault(namespace, Set.of()).stream().filter(s -> s.id > afterId && !s.removed)
                .map(s -> s.id).sorted().limit(limit).toList();
    }

    private TraceState visible(long traceId) {
        TraceState s = byId.get(traceId);
        if (s == null || s.deleting) {
            throw new TraceNotFoundException(traceId);
        }
        return s;
    }

    private static Message probe(MessagePosition p) {
        return new Message(p.externalId(), p.sequence(), dev.tracestore.Role.USER, "", null, Instant.EPOCH, null);
    }

    private static StoredTrace withCounts(StoredTrace r, Long count, TraceTotals totals, Instant updatedAt) {
        return new StoredTrace(r.id(), r.namespace(), r.externalId(), r.title(), r.agentId(), r.model(),
                r.visibility(), r.projectName(), r.createdAt(), updatedAt, count, totals, r.ingestCursor(), r.shareToken());
    }

    private static StoredTrace withShareToken(StoredTrace r, ShareToken token) {
        return new StoredTrace(r.id(), r.namespace(), r.externalId(), r.title(), r.agentId(), r.model(),
                r.visibility(), r.projectName(), r.createdAt(), r.updatedAt(), r.messageCount(), r.totals(),
                r.ingestCursor(), token);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    private record Key(String namespace, String externalId) {
    }

    /** One trace: its row and messages, guarded by the state's monitor. */
    private static final class TraceState {
        final long id;
        final Key key;
        final Map<String, Message> byExternalId = new HashMap<>();
        /**
         * The messages in conversation order, unless {@link #dirty}: then it may miss messages or
         * hold replaced ones, and {@link #ordered()} rebuilds it from {@link #byExternalId}.
         * Conversations mostly grow at their end, so writes usually append and reads rarely rebuild.
         */
        List<Message> ordered = new ArrayList<>();
        boolean dirty;
        /** Written under the monitor; read without it. */
        volatile StoredTrace row;
        volatile boolean deleting;
        volatile boolean removed;

        TraceState(long id, Key key, StoredTrace row) {
            this.id = id;
            this.key = key;
            this.row = row;
        }

        /** Records a written message: appended when it extends the order, else the order is rebuilt on the next read. */
        void append(Message m, Message replaced) {
            if (dirty) {
                return;
            }
            if (replaced == null && (ordered.isEmpty()
                    || MessagePosition.ORDER.compare(ordered.get(ordered.size() - 1), m) < 0)) {
                ordered.add(m);
            } else {
                dirty = true;
            }
        }

        /** The messages in conversation order. */
        List<Message> ordered() {
            if (dirty) {
                ordered = new ArrayList<>(byExternalId.values());
                ordered.sort(MessagePosition.ORDER);
                dirty = false;
            }
            return ordered;
        }

        Optional<StoredTrace> visibleRow() {
            StoredTrace r = row;
            return deleting || removed ? Optional.empty() : Optional.of(r);
        }

        void requireVisible() {
            if (deleting || removed) {
                throw new TraceNotFoundException(id);
            }
        }
    }
}
