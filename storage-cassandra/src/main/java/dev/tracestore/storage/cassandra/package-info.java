/**
 * The Apache Cassandra storage adapter, for applications whose traces outgrow one database
 * server. For callers: build a {@link dev.tracestore.storage.cassandra.CassandraTraceStorage}
 * from the application's {@code CqlSession} and a keyspace, call {@code migrate()} once, and
 * pass it to {@link dev.tracestore.TraceStore.Builder#storage}; its class comment says what a
 * user needs. For readers of the code and operators: below are the data model, the argument for
 * each of the storage properties on Cassandra, and the limits in detail.
 *
 * <h2>Data model</h2>
 * The tables ({@code db/tracestore/cassandra/V1__create_tables.cql}, with
 * {@code V2__totals.cql} and {@code V3__share_tokens.cql}) are designed for the queries: {@code traces} (one partition per trace: attributes as static columns and one
 * clustering row per instant the trace was touched at, newest first, whose newest row is its
 * updatedAt); {@code trace_keys} (namespace and external id to id, claimed with a lightweight
 * transaction); {@code trace_counts} (the counters: the count and, from version 2,
 * the totals: tool calls and the four kinds of tokens); {@code traces_by_namespace} (the trace list,
 * newest first, a query table that writes move their trace in); {@code trace_ids} (a
 * namespace's ids, ascending); {@code message_keys} and {@code messages} (one partition per
 * trace each: the upsert key with its current sequence, and the messages in conversation
 * order; a message row carries its usage as one tuple and its tool calls); {@code pending_deletions}
 * and {@code unknown_counts} (bookkeeping, sharded by id); {@code upgrade_scans} (one-time scans
 * an upgrade needs); {@code share_keys} (a share token's key to its trace id, from version 3:
 * the token's two halves are static columns of the trace, set with {@code IF share_key = null
 * AND visibility IN ('PUBLIC', 'UNLISTED')} and cleared with {@code IF share_key = ?}, and the
 * trace row decides, so a {@code share_keys} row whose trace holds another key opens nothing). A trace created under version 1 has no {@code totals_known} flag after the
 * version 2 ALTERs, so its totals read as unknown, and the first search for unknown counts after
 * the upgrade registers it in {@code unknown_counts} for the backfill (see {@code Bookkeeping}).
 * Trace ids come from blocks of 1000 claimed by a lightweight transaction at SERIAL
 * consistency, so they are unique across data centres, small, and roughly ascending.
 * Instants are epoch microseconds; ids compare by code point (UTF-8 byte order), exactly as
 * {@link dev.tracestore.spi.MessagePosition#ORDER} does.
 *
 * <h2>The six properties</h2>
 * Cassandra has no transaction spanning a counter and regular rows, and no locks. Of the
 * properties of {@link dev.tracestore.spi.TraceStorage}:
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
 *       and the drift guard repair them. The totals are counters in the same write as the
 *       count ({@code trace_counts} is one partition per trace: one mutation), so they are
 *       low or high exactly when the count is. The latest message instant is a plain write in
 *       the messages' batch of the later of what the batch read and its own: atomic with the
 *       messages, but of two batches racing into one trace the newer write timestamp wins, so
 *       it can stay at the earlier batch's instant until a recount.
 *   <li><b>No lost increments — as written while no node loses acknowledged writes.</b>
 *       {@code message_count = message_count + ?} is a server-side counter increment, never
 *       read and written back. It is never marked idempotent, so the driver never retries it
 *       and never counts a batch twice on its own; only a caller retrying after a timeout can
 *       (see 1). A node that crashes and loses the end of its commit log (Cassandra's default
 *       {@code commitlog_sync: periodic}) can lose the last increments it applied as the
 *       counter's leader, which the other replicas cannot give back; run with
 *       {@code commitlog_sync: batch} (or group) where counts must survive a node crash
 *       unrepaired. BENCHMARKS.md's table of three-node runs (section 11, {@code CassandraClusterTraceStoreTest})
 *       has what was seen with each setting. A recount repairs it.
 *   <li><b>Safe recount — weaker.</b> Counters cannot be set, and there are no locks: a recount
 *       reads the counter, then counts the message keys page by page, then stores
 *       {@code rows − counter read} as the trace's {@code count_offset}, and the count shown is
 *       counter plus offset. An increment that lands after the counter read stays on top of
 *       the offset, and every row the count missed belongs to such an increment, so a recount
 *       never erases an increment and never leaves the count low. A batch whose messages the
 *       count saw but whose increment landed after the counter read is counted twice, so the
 *       count can stay too high until the next recount (the drift guard recounts every trace
 *       written since its last recount). Storing an offset rather than adding the correction to
 *       the counter keeps two concurrent recounts from applying it twice: the later one wins,
 *       and each is safe. The totals are recounted by the same rule, with an offset each, in
 *       the same write; they are summed from the message rows that reads show (a row a
 *       re-send left at an old sequence is skipped). The latest message instant is set, not
 *       offset: a batch racing the recount can leave it at the recount's value, too early.
 *   <li><b>No deadlocks — as written</b>, trivially: nothing locks. Writers to one trace never
 *       wait for each other; overlapping ids resolve per cell, latest write wins.
 *   <li><b>Bounded deletion — in another form.</b> The trace is hidden first and the deletion is
 *       resumable, but messages do not go in chunks:
 *       {@link dev.tracestore.storage.cassandra.CassandraTraceStorage#deleteMessages} removes
 *       them all with one partition tombstone per table, a constant-size write whatever their
 *       number, after counting them page by page for the report. Deleting a huge trace
 *       therefore writes almost nothing and holds nothing open. No orphan messages remain: see 6.
 *   <li><b>Unknown trace — as written</b>, for everything a reader can observe. A write reads the
 *       trace first and throws {@link dev.tracestore.TraceNotFoundException} before writing
 *       anything if it is absent or hidden. A writer that read the trace just before a deletion
 *       hid it may still write; it took its write timestamp before that read, and the deletion
 *       writes its tombstones with a timestamp five seconds past the moment it ran, after the
 *       trace was hidden, so they shadow that late writer's rows whenever they arrive, as long
 *       as the writers' clocks are within those five seconds: no orphan messages, positions or
 *       keys, and a list row it leaves is dropped and deleted by the next listing. Only a late
 *       counter increment can survive, as an orphan counter row that nothing reads (ids are
 *       never reused). A resumed deletion writes the same tombstones. The argument rests on a
 *       writer's read meeting the tombstone's write in a quorum: at {@code LOCAL_QUORUM} that
 *       holds within a data centre, so if writers in several data centres write to one trace,
 *       use {@code QUORUM}, or accept that one whose data centre learns of the deletion more
 *       than five seconds late may leave rows behind.
 * </ol>
 * The contract kit runs whole against this adapter with capabilities saying exactly this:
 * property 1 and exact counts under retry in their weaker form, property 3 in its weaker form,
 * property 5 without chunks, and the latest message instant under concurrent batches in its
 * weaker form.
 *
 * <h2>Limits</h2>
 * A trace's messages are one partition of each message table, so a trace holds at most
 * {@code maxMessagesPerTrace} messages (default 100,000, Cassandra's usual guidance for rows
 * per partition): a batch that would take the cached count past it fails with an
 * {@link IllegalArgumentException} and writes nothing. The cached count can run ahead of the
 * rows (drift), so a trace near the limit may need a recount; concurrent batches can pass the
 * check together, so the limit is soft by at most their sizes; a trace whose count is unknown
 * is not checked. Bytes matter as much: keep the core's text limit and this one together within
 * what a partition should hold (with 2 KB messages, 100,000 is 200 MB). One batch is one request
 * and one mutation, and Cassandra refuses a request larger than
 * {@code native_transport_max_message_size}, which by default is the smallest of
 * {@code max_mutation_size} (half the commit log segment: 16 MiB), the in-flight request limit
 * and the per-client one (a 40th of the heap: 6.2 MB on a 256 MB node). A batch whose encoded
 * size exceeds {@code maxBatchBytes} (default 4 MiB, within all three for any heap of 160 MB or
 * more) fails with an {@link IllegalArgumentException} and writes nothing, before Cassandra
 * would refuse it.
 *
 * <p>Trace lists are one partition per namespace, and every write moves its trace's list row,
 * leaving a row tombstone where it was. A page of the list reads past the tombstones of every
 * move made since its oldest trace was last written ({@code CassandraTraceStorageTest} pins it:
 * a trace written 100 times above a quiet one leaves 99 for a two-trace page to read), until
 * compaction purges them, at the earliest 3 hours later ({@code gc_grace_seconds} of the list
 * table). With Cassandra's default thresholds a read warns past 1,000 tombstones and fails past
 * 100,000, so over those 3 hours: a namespace whose traces take a few hundred batches an hour
 * above a quiet one makes its listings warn, and one that takes more than about 30,000 an hour
 * outgrows this design, as does listing a namespace right after deleting tens of thousands of
 * its traces. Hour-bucketed list partitions would bound it; they are not implemented. A trace's
 * own partition, read by every write, does not collect them: older positions go as one range
 * tombstone.
 *
 * <h2>Consistency, retries, time</h2>
 * Every statement runs at the configured consistency (default {@code LOCAL_QUORUM}),
 * lightweight transactions at the serial consistency (default {@code LOCAL_SERIAL}; use
 * {@code SERIAL} if writers in several data centres create traces with the same key). Every
 * statement but the counter increment and the claim of an id block is idempotent and marked
 * so: the driver's retry policy and speculative executions may re-run it. A lightweight
 * transaction whose outcome is unknown (a timeout) is settled, by a serial read or by trying it
 * again, at most 20 times; a claim of an id block whose outcome is unknown is abandoned, its
 * ids skipped. Failures are a {@link dev.tracestore.StorageException} naming the operation,
 * what it had already stored, and the driver's exception as cause. Write timestamps come from
 * the system clock: Cassandra resolves concurrent writes by them, so keep the clocks of the
 * application's machines synchronized, as Cassandra requires anyway; the instants traces and
 * messages carry come from the core's clock.
 *
 * <h2>The code</h2>
 * {@code CassandraTraceStorage} implements the storage primitives and their order of writes;
 * the rest is package-private, one job a class: {@code Cql} (every statement's text),
 * {@code Driver} (prepared statements, their settings, execution and failures),
 * {@code LightweightTransactions} (the one loop that settles a transaction's unknown outcome),
 * {@code TraceReader} (a trace's partition and counter), {@code TraceKeys} (claiming and freeing
 * keys), {@code IdBlocks} (trace ids), {@code TraceList} (the namespace list and its upkeep),
 * {@code MessagePages} (reading messages and dropping stale rows), {@code MessageRows} (a batch
 * checked and bound as rows), {@code MessageSums} (count and totals from the rows),
 * {@code Bookkeeping} (the two sharded tables, and the upgrade's scan), {@code EncodedSize} (a
 * batch's size in bytes), {@code Counters} (the count and totals as six numbers),
 * {@code WriteTimestamps}, {@code Micros}, {@code TraceRow} and {@code Migrator}.
 */
package dev.tracestore.storage.cassandra;
