package dev.tracestore.testkit;

/**
 * Which of the adapter properties of {@link dev.tracestore.spi.TraceStorage} an adapter keeps
 * exactly as written, and which in a named weaker form that the contract kit checks instead.
 * An adapter's test declares it by overriding {@link TraceStorageContract#capabilities()};
 * the default, {@link #strict()}, is every property as written. Every kit test runs either
 * way: a relaxed flag changes what a test asserts, never whether it runs. The totals a batch
 * adds (tool calls, tokens) move with its count increment in every adapter, so each flag about
 * the count says the same of them: in its weaker form they are low, or high, together with the
 * count, and a recount repairs them with it.
 *
 * @param atomicBatchWithCount         property 1 as written: a batch's messages and its count
 *                                     increment commit together or not at all. When false, the
 *                                     kit asserts the weaker form: the messages are all or
 *                                     nothing, the increment is a separate write that follows
 *                                     them and never lands without them, so a failure between
 *                                     the two leaves the messages stored and the count below
 *                                     the rows; a recount repairs it
 * @param exactCountUnderRetry         a call that fails has not counted, so a caller's retry
 *                                     counts the batch once. When false, the kit asserts the
 *                                     weaker form: a call can fail after its increment landed
 *                                     (a write that timed out but was applied), so a retry
 *                                     counts the batch twice; the count is then too high,
 *                                     never too low, and a recount repairs it
 * @param exactRecountUnderConcurrency property 3 as written: a recount racing batches leaves
 *                                     the exact count. When false, the kit asserts the weaker
 *                                     form: such a recount never erases a concurrent
 *                                     increment, but may count a racing batch twice, so the
 *                                     count can stay too high (never too low) until a recount
 *                                     that no batch races
 * @param chunkedDeletion              property 5 as written: a deletion removes messages in
 *                                     chunks of the given size, each chunk reported by its own
 *                                     call. When false, the kit asserts the weaker form: the
 *                                     first call removes every message at once, with one
 *                                     constant-size write whatever their number (a partition
 *                                     tombstone), and reports them all; the trace is still
 *                                     hidden first and the rest of the deletion resumable
 * @param exactLastMessageAtUnderConcurrency concurrent batches into one trace leave its
 *                                     {@code lastMessageAt} at the latest of their instants.
 *                                     When false, the kit asserts the weaker form: the stored
 *                                     instant is raised by a plain write of the later of what
 *                                     a batch read and its own, so a racing batch can leave it
 *                                     at an earlier batch's latest instant (too early, never
 *                                     later than the latest stored message, never below what
 *                                     was stored before the race); a sequential batch, and a
 *                                     recount that no batch races, leave it exact
 * @param atomicCursorAppend           an append that loses on its ingest cursor writes nothing
 *                                     at all. When false, the kit asserts the weaker form: its
 *                                     messages may be stored (written, idempotently, before the
 *                                     cursor's compare-and-set), but nothing is counted, no
 *                                     total moves and the cursor is the winner's
 */
public record StorageCapabilities(
        boolean atomicBatchWithCount,
        boolean exactCountUnderRetry,
        boolean exactRecountUnderConcurrency,
        boolean chunkedDeletion,
        boolean exactLastMessageAtUnderConcurrency,
        boolean atomicCursorAppend) {

    private static final StorageCapabilities STRICT = new StorageCapabilities(true, true, true, true, true, true);

    /** Every property exactly as written: the in-memory store and the JDBC adapter. */
    public static StorageCapabilities strict() {
        return STRICT;
    }

    /** These capabilities with property 1 as written ({@code true}) or in its weaker form. */
    public StorageCapabilities withAtomicBatchWithCount(boolean value) {
        return new StorageCapabilities(value, exactCountUnderRetry, exactRecountUnderConcurrency, chunkedDeletion,
                exactLastMessageAtUnderConcurrency, atomicCursorAppend);
    }

    /** These capabilities with failed calls never counting ({@code true}) or possibly counting. */
    public StorageCapabilities withExactCountUnderRetry(boolean value) {
        return new StorageCapabilities(atomicBatchWithCount, value, exactRecountUnderConcurrency, chunkedDeletion,
                exactLastMessageAtUnderConcurrency, atomicCursorAppend);
    }

    /** These capabilities with property 3 as written ({@code true}) or in its weaker form. */
    public StorageCapabilities withExactRecountUnderConcurrency(boolean value) {
        return new StorageCapabilities(atomicBatchWithCount, exactCountUnderRetry, value, chunkedDeletion,
                exactLastMessageAtUnderConcurrency, atomicCursorAppend);
    }

    /** These capabilities with property 5 as written ({@code true}) or in its weaker form. */
    public StorageCapabilities withChunkedDeletion(boolean value) {
        return new StorageCapabilities(atomicBatchWithCount, exactCountUnderRetry, exactRecountUnderConcurrency, value,
                exactLastMessageAtUnderConcurrency, atomicCursorAppend);
    }

    /** These capabilities with lastMessageAt exact under concurrent batches ({@code true}) or in its weaker form. */
    public StorageCapabilities withExactLastMessageAtUnderConcurrency(boolean value) {
        return new StorageCapabilities(atomicBatchWithCount, exactCountUnderRetry, exactRecountUnderConcurrency,
                chunkedDeletion, value, atomicCursorAppend);
    }

    /** These capabilities with a losing append writing nothing ({@code true}) or in its weaker form. */
    public StorageCapabilities withAtomicCursorAppend(boolean value) {
        return new StorageCapabilities(atomicBatchWithCount, exactCountUnderRetry, exactRecountUnderConcurrency,
                chunkedDeletion, exactLastMessageAtUnderConcurrency, value);
    }

    /** Whether every property holds as written. */
    public boolean isStrict() {
        return equals(STRICT);
    }
}
