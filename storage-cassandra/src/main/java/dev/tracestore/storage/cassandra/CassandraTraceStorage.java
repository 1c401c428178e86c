package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchStatementBuilder;
import com.datastax.oss.driver.api.core.cql.BatchType;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatementBuilder;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.type.TupleType;
import dev.tracestore.Message;
import dev.tracestore.StorageException;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceNotFoundException;
import dev.tracestore.Visibility;
import dev.tracestore.spi.MessagePosition;
import dev.tracestore.spi.RecountResult;
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
 * <h2>Data model</h2>
 * The tables ({@code db/tracestore/cassandra/V1__create_tables.cql}) are designed for the
 * queries: {@code traces} (one partition per trace: attributes as static columns and one
 * clustering row per instant the trace was touched at, newest first, whose newest row is its
 * updatedAt); {@code trace_keys} (namespace and external id to id, claimed with a lightweight
 * transaction); {@code trace_counts} (the counter); {@code traces_by_namespace} (the trace list,
 * newest first, a query table that writes move their trace in); {@code trace_ids} (a
 * namespace's ids, ascending); {@code message_keys} and {@code messages} (one partition per
 * trace each: the upsert key with its current sequence, and the messages in conversation
 * order); {@code pending_deletions} and {@code unknown_counts} (bookkeeping, sharded by id).
 * Trace ids come from blocks of 1000 claimed by a lightweight transaction at SERIAL
 * consistency, so they are unique across data centres, small, and roughly ascending.
 * Instants are epoch microseconds; ids compare by code point (UTF-8 byte order), exactly as
 * {@link MessagePosition#ORDER} does.
 *
 * <h2>The six properties</h2>
 * Cassandra has no transaction spanning a counter and regular rows, and no locks. Of the
 * properties of {@link TraceStorage}:
 * <ol>
 *   <li><b>Atomic batch — weaker.</b> A batch's messages (both their tables) and the trace's
 *       new position go as one unlogged batch into partitions sharing the trace's id: one
 *       mutation, applied all or nothing on each replica. The count increment cannot join it
 *       (a counter write cannot share a batch with regular rows) and follows it as its own
 *       write, sent only once the messages are stored: it never lands without them, but a
 *       failure between the two leaves the messages stored and the count low by the batch until
 *       a recount, and a counter write that times out may have landed, so a call can fail after
 *       counting and a caller's retry counts the batch twice (too high, never too low). The
 *       optimistic policy accepts both; {@link dev.tracestore.TraceStore#recalculateMessageCount}
 *       and the drift guard repair them.
 *   <li><b>No lost increments — as written while no node loses acknowledged writes.</b>
 *       {@code message_count = message_count + ?} is a server-side counter increment, never
 *       read and written back. It is never marked idempotent, so the driver never retries it
 *       and never counts a batch twice on its own; only a caller retrying after a timeout can
 *       (see 1). A node that crashes and loses the end of its commit log (Cassandra's default
 *       {@code commitlog_sync: periodic}) can lose the last increments it applied as the
 *       counter's leader, which the other replicas cannot give back: the three-node test
 *       ({@code CassandraClusterTraceStoreTest}) saw one acknowledged batch go uncounted after
 *       a node was killed, in three of four runs, and none with {@code commitlog_sync: batch}
 *       (one run). A
 *       recount repairs it.
 *   <li><b>Safe recount — weaker.</b> Counters cannot be set, and there are no locks: a recount
 *       reads the counter, then counts the message keys page by page, then stores
 *       {@code rows − counter read} as the trace's {@code count_offset}, and the count shown is
 *       counter plus offset. An increment that lands after the counter read stays on top of
 *       the offset, and every row the count missed belongs to such an increment, so a recount
 *       never erases an increment and never leaves the count low. A batch whose messages the
 *       count saw but whose increment landed after the counter read is counted twice, so the
 *       count can stay too high until the next recount (the drift guard recounts every trace
 *       written since its last recount). Storing an offset rather than adding the correction to the counter keeps
 *       two concurrent recounts from applying it twice: the later one wins, and each is safe.
 *   <li><b>No deadlocks — as written</b>, trivially: nothing locks. Writers to one trace never
 *       wait for each other; overlapping ids resolve per cell, latest write wins.
 *   <li><b>Bounded deletion — in another form.</b> The trace is hidden first and the deletion is
 *       resumable, but messages do not go in chunks: {@link #deleteMessages} removes them all
 *       with one partition tombstone per table, a constant-size write whatever their number,
 *       after counting them page by page for the report. Deleting a huge trace therefore writes
 *       almost nothing and holds nothing open. No orphan messages remain: see 6.
 *   <li><b>Unknown trace — as written</b>, for everything a reader can observe. A write reads the
 *       trace first and throws {@link TraceNotFoundException} before writing anything if it is
 *       absent or hidden. A writer that read the trace just before a deletion hid it may still
 *       write; it took its write timestamp before that read, and the deletion writes its
 *       tombstones with a timestamp five seconds past the moment it ran, after the trace was
 *       hidden, so they shadow that late writer's rows whenever they arrive, as long as the
 *       writers' clocks are within those five seconds: no orphan messages, positions or keys,
 *       and a list row it leaves is dropped and deleted by the next listing. Only a late
 *       counter increment can survive, as an orphan counter row that nothing reads (ids are
 *       never reused). A resumed deletion writes the same tombstones. The argument rests on a
 *       writer's read meeting the tombstone's write in a quorum: at {@code LOCAL_QUORUM} that
 *       holds within a data centre, so if writers in several data centres write to one trace,
 *       use {@code QUORUM}, or accept that one whose data centre learns of the deletion more
 *       than five seconds late may leave rows behind.
 * </ol>
 * The contract kit runs whole against this adapter with capabilities saying exactly this:
 * property 1 and exact counts under retry in their weaker form, property 3 in its weaker form,
 * property 5 without chunks.
 *
 * <h2>Limits</h2>
 * A trace's messages are one partition of each message table, so a trace holds at most
 * {@link Builder#maxMessagesPerTrace(int)} messages (default 100,000, Cassandra's usual
 * guidance for rows per partition): a batch that would take the cached count past it fails
 * with an {@link IllegalArgumentException} and writes nothing. The cached count can run ahead
 * of the rows (drift), so a trace near the limit may need a recount; concurrent batches can
 * pass the check together, so the limit is soft by at most their sizes; a trace whose count is
 * unknown is not checked. Bytes matter as much: keep the core's text limit and this one
 * together within what a partition should hold (with 2 KB messages, 100,000 is 200 MB). One
 * batch is one request and one mutation, and Cassandra refuses a request larger than
 * {@code native_transport_max_message_size}, which by default is the smallest of
 * {@code max_mutation_size} (half the commit log segment: 16 MiB), the in-flight request limit
 * and the per-client one (a 40th of the heap: 6.2 MB on a 256 MB node). A batch whose encoded
 * size exceeds {@link Builder#maxBatchBytes(int)} (default 4 MiB, within all three for any heap
 * of 160 MB or more) fails with an {@link IllegalArgumentException} and writes nothing, before
 * Cassandra would refuse it.
 *
 * <p>Trace lists are one partition per namespace, and every write moves its trace's list row,
 * leaving a row tombstone where it was. A page of the list reads past the tombstones of every
 * move made since its oldest trace was last written (a test measures it: a trace written 100
 * times above a quiet one leaves 99 for a two-trace page to read), until compaction purges them,
 * at the earliest 3 hours later ({@code gc_grace_seconds} of the list table). With Cassandra's
 * default thresholds a read warns past 1,000 tombstones and fails past 100,000, so over those 3
 * hours: a namespace whose traces take a few hundred batches an hour above a quiet one makes its
 * listings warn, and one that takes more than about 30,000 an hour outgrows this design, as
 * does listing a namespace right after deleting tens of thousands of its traces. Hour-bucketed
 * list partitions would bound it; they are not implemented. A trace's
 * own partition, read by every write, does not collect them: older positions go as one range
 * tombstone.
 *
 * <h2>Consistency, retries, time</h2>
 * Every statement runs at {@link Builder#consistency} (default {@code LOCAL_QUORUM}),
 * lightweight transactions at {@link Builder#serialConsistency} (default {@code LOCAL_SERIAL};
 * use {@code SERIAL} if writers in several data centres create traces with the same key).
 * Every statement but the counter increment and the claim of an id block is idempotent and
 * marked so: the driver's retry policy and speculative executions may re-run it. (A claim of an
 * id block whose outcome is unknown is abandoned, not retried: its ids are skipped.) Failures are a {@link StorageException}
 * naming the operation, what it had already stored, and the driver's exception as cause. Write
 * timestamps come from the system clock: Cassandra resolves concurrent writes by them, so keep
 * the clocks of the application's machines synchronized, as Cassandra requires anyway; the
 * instants traces and messages carry come from the core's clock.
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
    private final int maxBatchBytes;
    private final Cql cql;
    private final WriteTimestamps timestamps;
    private final Driver driver;
    private final LightweightTransactions transactions;
    private final TraceReader traces;
    private final TraceKeys keys;
    private final TraceList list;
    private final MessagePages messages;
    private final Bookkeeping bookkeeping;
    private final IdBlocks ids;

    private CassandraTraceStorage(Builder b) {
        this.session = b.session;
        this.keyspace = b.keyspace;
        this.consistency = b.consistency;
        this.serialConsistency = b.serialConsistency;
        this.maxMessagesPerTrace = b.maxMessagesPerTrace;
        this.maxBatchBytes = b.maxBatchBytes;
        this.cql = new Cql(b.keyspace);
        this.timestamps = new WriteTimestamps(Clock.systemUTC());
        this.driver = new Driver(b.session, b.keyspace, b.consistency, b.serialConsistency);
        this.transactions = new LightweightTransactions(b.session);
        this.traces = new TraceReader(driver, cql);
        this.keys = new TraceKeys(driver, transactions, cql);
        this.list = new TraceList(driver, cql, traces, timestamps);
        this.messages = new MessagePages(driver, cql);
        this.bookkeeping = new Bookkeeping(driver, traces);
        this.ids = new IdBlocks(driver, transactions, cql);
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
     * {@code <keyspace>.schema_history}, and records each. Idempotent, and safe when several
     * processes call it at once: every statement is {@code CREATE … IF NOT EXISTS}, all of them
     * go to one coordinator chosen the same way by every process (the live node with the
     * smallest host id), which applies schema changes one at a time, and each is followed by a
     * wait for schema agreement. The keyspace must exist.
     *
     * @return how many migrations this call applied (0 when the schema was up to date)
     * @throws StorageException if the keyspace is missing, a statement fails or the cluster does not agree on the schema
     */
    public int migrate() {
        return new Migrator(session, keyspace, consistency, serialConsistency).migrate();
    }

    @Override
    public StoredTrace upsertTrace(TraceInput in, Instant now) {
        long at = Micros.of("now", now);
        long createdAt = in.createdAt() == null ? at : Micros.of("createdAt", in.createdAt());
        String operation = "upserting a trace";
        for (int round = 1; ; round++) {
            long timestamp = timestamps.next(); // before the reads: a deletion hiding the trace after them shadows our writes
            Long id = keys.find(operation, in.namespace(), in.externalId());
            if (id != null) {
                TraceRow row = traces.read(operation, id);
                if (row != null) {
                    if (row.deleting()) {
                        throw new TraceNotFoundException(id, in.namespace(), in.externalId());
                    }
                    return update(operation, row, in, at, timestamp);
                }
                // Read between a removal freeing the key and dropping the trace: free it for sure, look again.
                keys.free(operation, in.namespace(), in.externalId(), id);
            } else {
                StoredTrace created = create(operation, in, at, createdAt, timestamp);
                if (created != null) {
                    return created;
                }
            }
            if (round >= 100) {
                throw new StorageException("Cassandra storage: " + operation + " did not settle after " + round
                        + " rounds of concurrent changes to its key", null);
            }
        }
    }

    private StoredTrace update(String operation, TraceRow row, TraceInput in, long at, long timestamp) {
        long target = Math.max(at, row.updatedAt());
        List<Long> older = row.positionsBefore(target);
        // The list row at the new position comes first, so that no failure can leave the trace unlisted.
        driver.run(operation, list.listed(row.namespace(), row.id(), target, timestamp));
        BatchStatementBuilder batch = BatchStatement.builder(BatchType.UNLOGGED);
        if (in.title() != null || in.agentId() != null || in.model() != null || in.visibility() != null
                || in.projectName() != null) {
            BoundStatementBuilder set = driver.prepared(cql.updateTrace).boundStatementBuilder();
            setIfPresent(set, 0, in.title());
            setIfPresent(set, 1, in.agentId());
            setIfPresent(set, 2, in.model());
            setIfPresent(set, 3, in.visibility() == null ? null : in.visibility().name());
            setIfPresent(set, 4, in.projectName());
            batch.addStatement(set.setLong(5, row.id()).build());
        }
        addPosition(batch, row.id(), target, older);
        driver.run(operation, driver.batch(batch, timestamp));
        if (!older.isEmpty()) {
            driver.run(operation, list.unlisted(row.namespace(), row.id(), older, timestamp));
        }
        return new StoredTrace(row.id(), row.namespace(), row.externalId(), or(in.title(), row.title()),
                or(in.agentId(), row.agentId()), or(in.model(), row.model()), or(in.visibility(), row.visibility()),
                or(in.projectName(), row.projectName()), Micros.toInstant(row.createdAt()), Micros.toInstant(target),
                row.messageCount());
    }

    /** Creates the trace and claims its key; null if another creator claimed the key first. */
    private StoredTrace create(String operation, TraceInput in, long at, long createdAt, long timestamp) {
        long id = ids.next(operation);
        Visibility visibility = in.visibility() == null ? Visibility.PRIVATE : in.visibility();
        // The row before the key: whoever finds the key finds the trace.
        BoundStatementBuilder insert = driver.prepared(cql.createTrace).boundStatementBuilder()
                .setLong(0, id).setLong(1, at).setString(2, in.namespace()).setString(3, in.externalId());
        setIfPresent(insert, 4, in.title());
        setIfPresent(insert, 5, in.agentId());
        setIfPresent(insert, 6, in.model());
        insert.setString(7, visibility.name());
        setIfPresent(insert, 8, in.projectName());
        insert.setLong(9, createdAt);
        driver.run(operation, driver.writing(insert.build(), timestamp));
        if (!keys.claim(operation, in.namespace(), in.externalId(), id)) {
            // Another process created the trace meanwhile: ours was never reachable; drop it.
            driver.run(operation, driver.write(cql.dropTrace, timestamps.next(), id));
            return null;
        }
        driver.run(operation, list.listed(in.namespace(), id, at, timestamp));
        log.debug("Created trace {}", id);
        return new StoredTrace(id, in.namespace(), in.externalId(), in.title(), in.agentId(), in.model(), visibility,
                in.projectName(), Micros.toInstant(createdAt), Micros.toInstant(at), 0L);
    }

    @Override
    public Optional<StoredTrace> findTrace(long traceId) {
        TraceRow row = traces.read("reading trace " + traceId, traceId);
        return row == null || row.deleting() ? Optional.empty() : Optional.of(row.toStored());
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
     * deleted; the counter is incremented, last and alone. See the class comment for what a
     * failure between those steps leaves.
     *
     * @throws IllegalArgumentException if the batch is larger than {@link Builder#maxBatchBytes}, would take the
     *                                  trace past {@link Builder#maxMessagesPerTrace}, or holds an instant
     *                                  outside the stored range; nothing is written
     */
    @Override
    public void writeMessages(long traceId, List<Message> batch, long countIncrement, Instant now) {
        long at = Micros.of("now", now);
        long[] createdAt = new long[batch.size()];
        long bytes = 0;
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            try {
                createdAt[i] = Micros.of(m.createdAt());
            } catch (ArithmeticException e) {
                Micros.of("message " + quoted(m.externalId()) + " createdAt", m.createdAt()); // throws, naming it
            }
            bytes += EncodedSize.of(m);
        }
        if (bytes > maxBatchBytes) {
            throw new IllegalArgumentException("messages: a batch must encode to at most " + maxBatchBytes
                    + " bytes in the Cassandra storage (maxBatchBytes: it is one request and one mutation, which Cassandra"
                    + " refuses over native_transport_max_message_size and max_mutation_size); got about " + bytes
                    + " bytes in " + batch.size() + " messages");
        }
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
        PreparedStatement key = driver.prepared(cql.upsertMessageKey);
        PreparedStatement row = driver.prepared(cql.upsertMessage);
        TupleType extras = extrasType();
        for (int i = 0; i < batch.size(); i++) {
            Message m = batch.get(i);
            messages.addStatement(key.bind(traceId, m.externalId(), m.sequence()));
            messages.addStatement(row.bind(traceId, m.sequence(), m.externalId(), m.role().name(), m.text(),
                    extras.newValue(m.model(), m.partsJson()), createdAt[i]));
        }
        addPosition(messages, traceId, target, older);
        driver.run(operation, "The messages were stored all together or not at all (a timed-out batch may have landed);"
                + " the count is unchanged.", driver.batch(messages, timestamp));

        String uncounted = "The messages are stored but not counted: the count is low by " + countIncrement
                + " until recalculateMessageCount(" + traceId + ").";
        if (!older.isEmpty()) {
            driver.run(operation, uncounted, list.unlisted(trace.namespace(), traceId, older, timestamp));
        }
        // Last, alone, and never retried by the driver: a counter increment is not idempotent.
        BoundStatement increment = driver.prepared(cql.addToCounter).bind(countIncrement, traceId)
                .setConsistencyLevel(consistency).setIdempotent(false);
        driver.run(operation, "The messages are stored; the count increment failed, or timed out and may have landed:"
                + " the count may be low (or, after a retry, high) by " + countIncrement + " until"
                + " recalculateMessageCount(" + traceId + ").", increment);
    }

    @Override
    public long countMessages(long traceId) {
        String operation = "counting the messages of trace " + traceId;
        TraceRow row = traces.read(operation, traceId);
        if (row == null || row.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        return countRows(operation, traceId);
    }

    /**
     * {@inheritDoc} Without a lock: reads the counter, then counts the message keys page by
     * page, then stores {@code rows − counter read} as the offset added to the counter. An
     * increment landing meanwhile is never erased; a batch racing the recount may be counted
     * twice until the next recount (see the class comment, property 3).
     */
    @Override
    public RecountResult recount(long traceId) {
        String operation = "recounting the messages of trace " + traceId;
        long timestamp = timestamps.next();
        TraceRow row = traces.read(operation, traceId); // reads the counter, before the count
        if (row == null || row.deleting()) {
            throw new TraceNotFoundException(traceId);
        }
        long actual = countRows(operation, traceId);
        driver.run(operation, driver.write(cql.setCount, timestamp, actual - row.counter(), traceId));
        if (row.countUnknown()) {
            driver.run(operation, driver.write(cql.deleteUnknown, timestamp, Bookkeeping.shard(traceId), traceId));
        }
        return new RecountResult(row.messageCount(), actual);
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
        return messages.page(operation, traceId, after, limit);
    }

    @Override
    public List<Long> tracesWithUnknownCount(long afterId, int limit) {
        return bookkeeping.scan("finding traces with an unknown count", cql.unknownAfter, afterId, limit,
                t -> t != null && !t.deleting() && t.countUnknown());
    }

    // ------------------------------------------------------------------ deletion

    /**
     * {@inheritDoc} Sets the tombstone and records the pending deletion in one logged batch,
     * so that both land or neither. No lock waits for writes in flight: those that read the
     * trace before it was hidden are fenced off by the timestamps of the deletion's tombstones
     * (see the class comment, property 6).
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
        if (row.countUnknown()) {
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

    /**
     * Adds the trace's position row at {@code target} to a batch on its partition, and, if it
     * has older ones, one range deletion of every position before {@code target}.
     */
    private void addPosition(BatchStatementBuilder batch, long traceId, long target, List<Long> older) {
        batch.addStatement(driver.prepared(cql.insertPosition).bind(traceId, target));
        if (!older.isEmpty()) {
            batch.addStatement(driver.prepared(cql.deletePositionsBefore).bind(traceId, target));
        }
    }

    /** The type of {@code messages.extras}, as the server declared it (a detached type could not make values). */
    private TupleType extrasType() {
        return (TupleType) driver.prepared(cql.upsertMessage).getVariableDefinitions().get(5).getType();
    }

    private static void setIfPresent(BoundStatementBuilder statement, int index, String value) {
        if (value != null) {
            statement.setString(index, value); // left unset otherwise: no overwrite, no tombstone
        }
    }

    private static String quoted(String id) {
        return '"' + id + '"';
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
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

        /** The most messages a trace holds, 1 to 10,000,000; default 100,000 (see the class comment, Limits). */
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
