package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.TraceTotals;
import dev.tracestore.spi.CursorMove;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import dev.tracestore.spi.TraceListQuery;
import dev.tracestore.spi.TraceStorage;
import dev.tracestore.storage.cassandra.LightweightTransactions.Attempt;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TraceStorage} over Apache Cassandra (5.0; 4.1 too), for deployments that have
 * outgrown one database server. Messages are partitioned by trace, as chat messages are by
 * channel, and each trace's count lives in a counter column.
 *
 * <p>Build it from the application's {@link CqlSession} and a keyspace that the operator
 * created with the replication the cluster needs, then create the tables once:
 * <pre>{@code
 * CassandraTraceStorage storage = CassandraTraceStorage.builder(session).keyspace("tracestore").build();
 * storage.migrate();
 * TraceStore store = TraceStore.builder().storage(storage).build();
 * }</pre>
 *
 * <p>Cassandra has no transaction spanning a counter and regular rows, and no locks, so three
 * of the properties of {@link TraceStorage} hold in a weaker form: a batch's messages land all
 * or nothing, but its count increment is a second write, so a failure can leave the count low
 * and a caller's retry after a timeout can count a batch twice; a recount never erases an
 * increment nor leaves the count low, but may count a racing batch twice until the next one;
 * and a deletion removes a trace's messages with one partition tombstone, not in chunks.
 * {@link dev.tracestore.TraceStore#recalculateMessageCount} and the drift guard repair counts.
 * The totals (tool calls, tokens) are counters beside the count, moved by the same counter
 * write, so they keep exactly the count's guarantees, never one without the other. The latest
 * message instant is weaker: it is written with the messages as the later of the instant the
 * batch read and its own, a plain write, so of two batches racing into one trace the one with
 * the newer write timestamp wins and lastMessageAt can stay at the earlier batch's instant
 * (too early, never later than a stored message) until a recount that no batch races.
 * A node that crashes with Cassandra's default {@code commitlog_sync: periodic} can lose the
 * last counter increments it led; a recount repairs that too.
 *
 * <p>Limits: a trace holds at most {@link Builder#maxMessagesPerTrace(int)} messages (one
 * partition; a soft limit, checked against the cached count) and a batch encodes to at most
 * {@link Builder#maxBatchBytes(int)} bytes (one request, below Cassandra's message-size limits);
 * a batch over either fails with an {@link IllegalArgumentException} and writes nothing. A
 * namespace's trace list is one partition that collects a tombstone per write until compaction:
 * a namespace taking tens of thousands of batches an hour outgrows it. Keep the clocks of the
 * application's machines synchronized, as Cassandra requires anyway: write timestamps come from
 * the system clock.
 *
 * <p>Every statement runs at {@link Builder#consistency}, lightweight transactions at
 * {@link Builder#serialConsistency}; failures are a {@link StorageException} naming the
 * operation and what it had already stored. The data model, the argument for each property and
 * the limits in detail are in the {@linkplain dev.tracestore.storage.cassandra package
 * documentation}.
 *
 * <p>Instances are thread-safe; share one per session and keyspace. The session stays the
 * application's: this storage never closes it.
 */
public final class CassandraTraceStorage implements TraceStorage {
    private static final Logger log = LoggerFactory.getLogger(CassandraTraceStorage.class);
    private static final Pattern KEYSPACE = Pattern.compile("[a-z][a-z0-9_]{0,47}");
    /** How far past its own time a deletion dates its tombstones: the clock skew between writers it tolerates. */
    static final long FENCE_MARGIN_MICROS = 5_000_000L;
    /** Rows per page when counting message keys. */
    private static final int COUNT_PAGE = 5000;

    private final CqlSession session;
    private final String keyspace;
    private final ConsistencyLevel consistency;
    private final ConsistencyLevel serialConsistency;
    private final int maxMessagesPerTrace;
    private final Cql cql;
    private final WriteTimestamps timestamps;
    private final Driver driver;
    private final LightweightTransactions transactions;
    private final TraceReader traces;
    private final TraceKeys keys;
    private final ShareKeys shares;
    private final TraceUpserts upserts;
    private final IngestCursors cursors;
    private final TraceList list;
    private final MessagePages messagePages;
    private final Bookkeeping bookkeeping;
    private final MessageSums sums;
    private final MessageRows rows;
    private final Recounts recounts;
    private final IdBlocks ids;
    /** Where the migrations are: the shipped scripts' directory, and in tests a fixture's too. */
    private final List<String> migrationLocations;
    /** The clock of the schema history. */
    private final Clock clock;

    private CassandraTraceStorage(Builder b) {
        this.migrationLocations = b.migrationLocations;
        this.clock = b.clock;
        this.session = b.session;
        this.keyspace = b.keyspace;
        this.consistency = b.consistency;
        this.serialConsistency = b.serialConsistency;
        this.maxMessagesPerTrace = b.maxMessagesPerTrace;
        this.cql = new Cql(b.keyspace);
        this.timestamps = new WriteTimestamps(Clock.systemUTC());
        this.driver = new Driver(b.session, b.keyspace, b.consistency, b.serialConsistency);
        this.transactions = new LightweightTransactions(b.session);
        this.traces = new TraceReader(driver, cql);
        this.keys = new TraceKeys(driver, transactions, cql);
        this.shares = new ShareKeys(driver, transactions, cql, traces, timestamps);
        this.cursors = new IngestCursors(driver, transactions, cql);
        this.list = new TraceList(driver, cql, traces, timestamps);
        this.messagePages = new MessagePages(driver, cql);
        this.bookkeeping = new Bookkeeping(driver, traces, cql, timestamps);
        this.sums = new MessageSums(driver, cql);
        this.rows = new MessageRows(driver, cql, b.maxBatchBytes);
        this.recounts = new Recounts(driver, cql, timestamps, traces, sums, cursors, rows);
        this.ids = new IdBlocks(driver, transactions, cql);
        this.upserts = new TraceUpserts(driver, cql, timestamps, traces, keys, shares, list, ids);
    }

    /**
     * A storage over {@code session} in {@code keyspace}, with the default settings. Touches
     * nothing until used; call {@link #migrate()} first if the tables may be missing.
     *
     * @throws IllegalArgumentException if the session is null or the keyspace name is invalid
     */
    public static CassandraTraceStorage create(CqlSession session, String keyspace) {
        return builder(session).keyspace(keyspace).build();
    }

    /** A builder over {@code session}, the application's. */
    public static Builder builder(CqlSession session) {
        return new Builder(session);
    }

    /** The keyspace holding the tables. */
    public String keyspace() {
        return keyspace;
    }

    /** The consistency level of every statement but lightweight transactions' Paxos phase. */
    public ConsistencyLevel consistency() {
        return consistency;
    }

    /**
     * Creates the tables, or brings them up to date: runs the shipped migrations
     * ({@code db/tracestore/cassandra/V<n>__<description>.cql}) not yet recorded in
     * {@code <keyspace>.schema_history}, and records each with its checksum. Idempotent, and
     * safe when several processes call it at once: one migration runs at a time, under a lease
     * claimed with a lightweight transaction (it expires by itself if its holder dies); every
     * statement goes to one coordinator chosen the same way by every process (the live node with
     * the smallest host id) and is followed by a wait for schema agreement. A shipped migration
     * that changed after it was applied is reported. The keyspace must exist.
     *
     * @return how many migrations this call applied (0 when the schema was up to date)
     * @throws StorageException if the keyspace is missing, a statement fails or the cluster does not agree on the schema
     */
    public int migrate() {
        return new Migrator(session, keyspace, consistency, serialConsistency, migrationLocations, clock)
                .migrate();
    }

    // ------------------------------------------------------------------ traces

    @Override
    public StoredTrace upsertTrace(TraceInput in, Instant now) {
        return upserts.upsert(in, now);
    }

    @Override
    public Optional<StoredTrace> findTrace(long traceId) {
        TraceRow row = traces.read("reading trace " + traceId, traceId);
        return row == null || row.deleting() ? Optional.empty() : Optional.of(row.toStored());
    }

    @Override
    public Optional<StoredTrace> findTraceByShareKey(String shareKey) {
        return shares.find(shareKey);
    }

    @Override
    public boolean createShareToken(long traceId, ShareToken token) {
        return shares.create(traceId, token);
    }

    @Override
    public void revokeShareToken(long traceId) {
        shares.revoke(traceId);
    }

    @Override
    public Optional<StoredTrace> findTrace(String namespace, String externalId) {
        String operation = "reading a trace by key";
        Long id = keys.find(operation, namespace, externalId);
        if (id == null) {
            return Optional.empty();
        }
        TraceRow row = traces.read(operation, id);
        return row == null || row.deleting() ? Optional.empty() : Optional.of(row.toStored());
    }

    /**
     * {@inheritDoc} Reads the namespace's list rows in order and checks each against its trace:
     * a row whose trace is gone, or that a race left behind an older position of its trace, is
     * dropped and deleted; a row ahead of its trace's position (a write in flight) is dropped.
     */
    @Override
    public List<StoredTrace> listTraces(TraceListQuery q) {
        return list.page(q);
    }

    // ------------------------------------------------------------------ messages and counts

    /**
     * {@inheritDoc} Here, in order: the trace is read (absent or hidden: nothing is written);
     * its list row is written at its new position; the messages and the trace's new position go
     * as one single-partition batch, all or nothing; the list rows of older positions are
     * deleted; the counter is incremented, last and alone. See the package documentation
     * (property 1) for what a failure between those steps leaves.
     *
     * @throws IllegalArgumentException if the batch is larger than {@link Builder#maxBatchBytes}, would take the
     *                                  trace past {@link Builder#maxMessagesPerTrace}, or holds an instant
     *                                  outside the stored range; nothing is written
     */
    @Override
    public void writeMessages(long traceId, List<Message> batch, long countIncrement, TraceTotals added, CursorMove cursor,
            Instant now) {
        if (batch.isEmpty()) { // an append that only moves the cursor
            String operation = "moving the ingest cursor of trace " + traceId;
            TraceRow trace = traces.read(operation, traceId);
            if (trace == null || trace.deleting()) {
                throw new TraceNotFoundException(traceId);
            }
            cursors.advance(operation, traceId, cursor);
            return;
        }
        long at = Micros.of("now", now);
        long[] createdAt = rows.checked(batch); // first: names a message whose instant is out of range
        long batchLast = Micros.of("added.lastMessageAt", added.lastMessageAt());
        String operation = "writing " + batch.size() + " messages to trace " + traceId;
        long timestamp = timestamps.next(); // before the check: a deletion hiding the trace after it shadows our writes
        TraceRow trace = traces.read(operation, traceId);
        if (trace == null || trace.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        Long cached = trace.messageCount();
        if (cached != null && cached + countIncrement > maxMessagesPerTrace) {
            throw new IllegalArgumentException("messages: a trace must hold at most " + maxMessagesPerTrace
                    + " messages in the Cassandra storage (maxMessagesPerTrace: its messages are one partition);"
                    + " trace " + traceId + " counts " + cached + " and the batch adds " + countIncrement
                    + " (a count that drifted up is repaired by recalculateMessageCount)");
        }
        long target = Math.max(at, trace.updatedAt());
        List<Long> older = trace.positionsBefore(target);

        driver.run(operation, "No message was stored and the count is unchanged.",
                list.listed(trace.namespace(), traceId, target, timestamp));

        BatchStatementBuilder messages = BatchStatement.builder(BatchType.UNLOGGED);
        rows.addTo(messages, traceId, batch, createdAt);
        // The latest message rides with the messages, as a plain write of what this batch saw: see the class comment.
        long last = trace.lastMessageAt() == null ? batchLast : Math.max(trace.lastMessageAt(), batchLast);
        upserts.addPosition(messages, driver.prepared(cql.insertPositionAndLast).bind(traceId, target, last), traceId, target, older);
        driver.run(operation, "The messages were stored all together or not at all (a timed-out batch may have landed);"
                + " the count is unchanged.", driver.batch(messages, timestamp));

        String uncounted = "The messages are stored but not counted: the count is low by " + countIncrement
                + " until recalculateMessageCount(" + traceId + ").";
        if (cursor != null) {
            // After the messages, before the counters: a crash between leaves the count low, never double,
            // and a conflict (another append, or this one landed before) counts nothing.
            cursors.advance(operation, traceId, cursor);
        }
        if (!older.isEmpty()) {
            driver.run(operation, uncounted, list.unlisted(trace.namespace(), traceId, older, timestamp));
        }
        // Last, alone, and never retried by the driver: a counter increment is not idempotent.
        Counters add = Counters.of(countIncrement, added);
        BoundStatement increment = driver.prepared(cql.addToCounter).bind(add.messages(), add.toolCalls(),
                add.inputTokens(), add.outputTokens(), add.cacheReadTokens(), add.cacheWriteTokens(), traceId)
                .setConsistencyLevel(consistency).setIdempotent(false);
        driver.run(operation, "The messages are stored; the count increment failed, or timed out and may have landed:"
                + " the count may be low (or, after a retry, high) by " + countIncrement + " until"
                + " recalculateMessageCount(" + traceId + ").", increment);
    }

    @Override
    public long countMessages(long traceId) {
        String operation = "counting the messages of trace " + traceId;
        traces.visible(operation, traceId);
        return countRows(operation, traceId);
    }

    /**
     * {@inheritDoc} Without a lock: reads the counter, then counts the message keys page by
     * page, then stores {@code rows − counter read} as the offset added to the counter. An
     * increment landing meanwhile is never erased; a batch racing the recount may be counted
     * twice until the next recount (see the package documentation, property 3).
     */
    @Override
    public RecountResult recount(long traceId) {
        return recounts.recount(traceId);
    }

    /**
     * {@inheritDoc} Not atomic here, in order: the cursor is checked with a serial read (another
     * one: nothing is removed), the messages' keys and rows are removed, the trace is recounted,
     * and the cursor is moved with a lightweight transaction. A failure between leaves the
     * messages removed and the old cursor, so the caller's retry removes nothing more and moves
     * it; an append racing the truncation can make the last step fail with a conflict.
     */
    @Override
    public RecountResult truncateMessages(long traceId, long fromSequence, CursorMove cursor, Instant now) {
        return recounts.truncate(traceId, fromSequence, cursor);
    }

    /** {@inheritDoc} Reads the message keys and the summed columns of the current message rows, page by page. */
    @Override
    public TraceTotals sumMessages(long traceId) {
        String operation = "summing the messages of trace " + traceId;
        traces.visible(operation, traceId);
        return sums.of(operation, traceId).totals();
    }

    /**
     * {@inheritDoc} Reads the message rows in order and checks each against the message's
     * current sequence in {@code message_keys}: a row a re-send left at an old sequence is
     * dropped, and deleted with a timestamp just older than the re-send's, so that the delete
     * can never remove a row written again since.
     */
    @Override
    public List<Message> listMessages(long traceId, MessagePosition after, int limit) {
        String operation = "listing the messages of trace " + traceId;
        TraceRow trace = traces.read(operation, traceId);
        if (trace == null || trace.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        return messagePages.page(operation, traceId, after, limit);
    }

    @Override
    public List<Long> tracesWithUnknownCount(long afterId, int limit) {
        String operation = "finding traces with an unknown count or totals";
        bookkeeping.registerTracesFromV1(operation);
        return bookkeeping.scan(operation, cql.unknownAfter, afterId, limit,
                t -> t != null && !t.deleting() && t.somethingUnknown());
    }

    // ------------------------------------------------------------------ deletion

    /**
     * {@inheritDoc} Sets the tombstone and records the pending deletion in one logged batch,
     * so that both land or neither. No lock waits for writes in flight: those that read the
     * trace before it was hidden are fenced off by the timestamps of the deletion's tombstones
     * (see the package documentation, property 6).
     */
    @Override
    public boolean markDeleting(long traceId) {
        String operation = "hiding trace " + traceId + " for deletion";
        long timestamp = timestamps.next();
        TraceRow row = traces.read(operation, traceId);
        if (row == null) {
            return false;
        }
        BatchStatementBuilder both = BatchStatement.builder(BatchType.LOGGED)
                .addStatement(driver.prepared(cql.markDeleting).bind(traceId))
                .addStatement(driver.prepared(cql.insertPending).bind(Bookkeeping.shard(traceId), traceId));
        driver.run(operation, driver.batch(both, timestamp));
        return true;
    }

    /**
     * {@inheritDoc} Not in chunks: counts the messages page by page, then deletes both message
     * partitions of the trace with one partition tombstone each (one mutation), whatever their
     * size, so the first call deletes them all and returns their number, and a later call
     * returns 0. When several calls delete the trace at once, a lightweight transaction on the
     * trace, applied only while it is still tombstoned, decides which of them reports the
     * messages, so their reports add up to the number deleted, also when one of them counted
     * before another removed the whole trace.
     *
     * @throws IllegalStateException if the trace is not tombstoned
     */
    @Override
    public int deleteMessages(long traceId, int chunkSize) {
        String operation = "deleting the messages of trace " + traceId;
        TraceRow row = traces.read(operation, traceId);
        if (row == null) {
            return 0;
        }
        if (!row.deleting()) {
            throw new IllegalStateException("trace " + traceId + " must be marked as deleting first");
        }
        long counted = countRows(operation, traceId);
        boolean reports = counted > 0 && claimPurge(operation, traceId, counted);
        long fence = timestamps.next() + FENCE_MARGIN_MICROS;
        driver.run(operation, driver.batch(BatchStatement.builder(BatchType.UNLOGGED)
                .addStatement(driver.prepared(cql.dropMessageKeys).bind(traceId))
                .addStatement(driver.prepared(cql.dropMessages).bind(traceId)), fence));
        return reports ? (int) Math.min(counted, Integer.MAX_VALUE) : 0;
    }

    /** Whether this call reports the trace's {@code counted} messages: the first to claim them does. */
    private boolean claimPurge(String operation, long traceId, long counted) {
        UUID self = UUID.randomUUID();
        return transactions.decide(operation, "claiming the deletion's report stayed undecided after "
                + LightweightTransactions.ATTEMPTS + " timeouts",
                Attempt.retried(() -> driver.lwtStatement(cql.claimPurge, self, counted, traceId),
                        // Not applied: another deleter claimed it (its id comes back), or the trace is gone
                        // already, removed by a deleter that reported these messages (no columns come back).
                        result -> result.getBoolean("[applied]") || result.getColumnDefinitions().contains("purged_by")
                                && self.equals(result.getUuid("purged_by"))));
    }

    /**
     * {@inheritDoc} In order: the list rows and the namespace's id row, the counter, the key
     * (freed only if it still names this trace), the unknown-count row, the trace's partition,
     * and last the pending-deletion row, so that an interrupted removal is still found and
     * resumed. Every tombstone but the counter's and the key's carries the fence timestamp.
     */
    @Override
    public void removeTrace(long traceId) {
        String operation = "removing trace " + traceId;
        TraceRow row = traces.read(operation, traceId);
        long fence = timestamps.next() + FENCE_MARGIN_MICROS;
        if (row == null) {
            driver.run(operation, driver.write(cql.deletePending, fence, Bookkeeping.shard(traceId), traceId)); // removed before: forget it
            return;
        }
        if (!row.deleting()) {
            return;
        }
        driver.run(operation, list.removed(row, fence));
        driver.run(operation, driver.prepared(cql.dropCounter).bind(traceId).setConsistencyLevel(consistency).setIdempotent(true));
        keys.free(operation, row.namespace(), row.externalId(), traceId);
        if (row.shareToken() != null) {
            driver.quietly(driver.write(cql.deleteShareKey, fence, row.shareToken().key()));
        }
        if (row.somethingUnknown()) {
            driver.run(operation, driver.write(cql.deleteUnknown, fence, Bookkeeping.shard(traceId), traceId));
        }
        driver.run(operation, driver.write(cql.dropTrace, fence, traceId));
        driver.run(operation, driver.write(cql.deletePending, fence, Bookkeeping.shard(traceId), traceId));
        log.debug("Removed trace {}", traceId);
    }

    /** {@inheritDoc} Leaves out a trace whose tombstone is not visible yet (its logged batch is still landing). */
    @Override
    public List<Long> deletingTraces(int limit) {
        // Absent: removed, all but its pending row, which resuming it (removeTrace) forgets.
        return bookkeeping.scan("finding interrupted deletions", cql.pendingAfter, -1, limit,
                t -> t == null || t.deleting());
    }

    @Override
    public List<Long> traceIds(String namespace, long afterId, int limit) {
        return list.ids(namespace, afterId, limit);
    }

    // ------------------------------------------------------------------ helpers

    private long countRows(String operation, long traceId) {
        return driver.count(operation, driver.read(cql.countMessages, traceId).setPageSize(COUNT_PAGE));
    }

    private static String quoted(String id) {
        return '"' + id + '"';
    }


    /**
     * Builds a {@link CassandraTraceStorage}. Not thread-safe; {@link #build()} validates every
     * setting, and the storage it returns no longer depends on the builder.
     */
    public static final class Builder {
        private final CqlSession session;
        private String keyspace;
        private ConsistencyLevel consistency = DefaultConsistencyLevel.LOCAL_QUORUM;
        private ConsistencyLevel serialConsistency = DefaultConsistencyLevel.LOCAL_SERIAL;
        private int maxMessagesPerTrace = 100_000;
        private int maxBatchBytes = 4 << 20;
        private List<String> migrationLocations = List.of(Migrator.SHIPPED);
        private Clock clock = Clock.systemUTC();

        private Builder(CqlSession session) {
            this.session = session;
        }

        /**
         * The keyspace holding the tables; required. A lower-case letter followed by at most 47
         * lower-case letters, digits and underscores. Give TraceStore a keyspace of its own.
         */
        public Builder keyspace(String keyspace) {
            this.keyspace = keyspace;
            return this;
        }

        /**
         * The consistency level of every read and write; default {@code LOCAL_QUORUM}, which
         * with a replication factor of 3 tolerates one replica down per data centre (and works
         * with a single node). Not a serial level.
         */
        public Builder consistency(ConsistencyLevel consistency) {
            this.consistency = consistency;
            return this;
        }

        /**
         * The serial consistency of lightweight transactions (claiming and freeing a trace's
         * key, reporting a deletion); default {@code LOCAL_SERIAL}. {@code SERIAL} makes key
         * claims linearizable across data centres. Trace id blocks always use {@code SERIAL}.
         */
        public Builder serialConsistency(ConsistencyLevel serialConsistency) {
            this.serialConsistency = serialConsistency;
            return this;
        }

        /** The most messages a trace holds, 1 to 10,000,000; default 100,000 (see Limits in the package documentation). */
        public Builder maxMessagesPerTrace(int maxMessagesPerTrace) {
            this.maxMessagesPerTrace = maxMessagesPerTrace;
            return this;
        }

        /**
         * The most bytes one batch of messages may encode to (UTF-8 text plus about 100 bytes a
         * message), 1 KiB to 256 MiB; default 4 MiB. It must stay below the cluster's
         * {@code native_transport_max_message_size}, which by default is the smallest of 16 MiB
         * ({@code max_mutation_size}) and a 40th of a node's heap; raise it only with those.
         */
        public Builder maxBatchBytes(int maxBatchBytes) {
            this.maxBatchBytes = maxBatchBytes;
            return this;
        }

        /**
         * The clock whose instants the schema history records; default {@link Clock#systemUTC()}.
         * Write timestamps always come from the system clock.
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /** Tests: a migration directory on the classpath to apply after the shipped one, such as a fixture's V2. */
        Builder extraMigrations(String directory) {
            this.migrationLocations = List.of(Migrator.SHIPPED, directory);
            return this;
        }

        /**
         * The storage. Touches nothing in the cluster.
         *
         * @throws IllegalArgumentException naming the setting and the value, if one is invalid
         */
        public CassandraTraceStorage build() {
            if (session == null) {
                throw new IllegalArgumentException("session: must not be null");
            }
            if (keyspace == null || !KEYSPACE.matcher(keyspace).matches()) {
                throw new IllegalArgumentException("keyspace: must be a lower-case letter followed by at most 47 lower-case"
                        + " letters, digits or underscores; got " + (keyspace == null ? "null" : quoted(keyspace)));
            }
            if (consistency == null || consistency.isSerial()) {
                throw new IllegalArgumentException("consistency: must be a non-serial consistency level such as LOCAL_QUORUM;"
                        + " got " + consistency);
            }
            if (serialConsistency == null || !serialConsistency.isSerial()) {
                throw new IllegalArgumentException("serialConsistency: must be SERIAL or LOCAL_SERIAL; got " + serialConsistency);
            }
            if (maxMessagesPerTrace < 1 || maxMessagesPerTrace > 10_000_000) {
                throw new IllegalArgumentException("maxMessagesPerTrace: must be between 1 and 10000000; got "
                        + maxMessagesPerTrace);
            }
            if (clock == null) {
                throw new IllegalArgumentException("clock: must not be null");
            }
            if (maxBatchBytes < 1024 || maxBatchBytes > 256 << 20) {
                throw new IllegalArgumentException("maxBatchBytes: must be between 1024 and 268435456; got " + maxBatchBytes);
            }
            CassandraTraceStorage storage = new CassandraTraceStorage(this);
            log.debug("Created a Cassandra trace storage: keyspace {}, consistency {}, serial consistency {}",
                    keyspace, consistency, serialConsistency);
            return storage;
        }
    }
}
