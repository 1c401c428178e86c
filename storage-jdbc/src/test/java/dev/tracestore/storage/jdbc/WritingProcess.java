package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link SqliteTwoProcessesTest}: writes batches of distinct messages into one
 * trace, recounting it after every tenth; prints {@code writing} after its first batch, then
 * {@code retried <n>} (transactions it ran again after a conflict) and {@code done}. Arguments: JDBC URL, user (or "-"), password, table
 * prefix, trace id, batches, messages per batch, message id prefix.
 */
final class WritingProcess {
    private WritingProcess() {}

    public static void main(String[] args) {
        try (HikariDataSource pool = new HikariDataSource(ChildJvm.poolConfig(args))) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(args[3]).build();
            TraceStore store = TraceStore.builder().storage(storage).build();
            long traceId = Long.parseLong(args[4]);
            int size = Integer.parseInt(args[6]);
            write(store, traceId, 1, size, args[7] + "-first");
            System.out.println("writing");
            System.out.flush();
            write(store, traceId, Integer.parseInt(args[5]) - 1, size, args[7]);
            System.out.println("retried " + storage.retriedTransactions());
            System.out.println("done");
        }
    }

    /** Writes {@code batches} batches of {@code size} new messages, ids {@code prefix-b-i}; recounts after every tenth. */
    static void write(TraceStore store, long traceId, int batches, int size, String prefix) {
        for (int b = 0; b < batches; b++) {
            List<MessageInput> batch = new ArrayList<>(size);
            for (int i = 0; i < size; i++) {
                batch.add(MessageInput.of(prefix + "-" + b + "-" + i, b * size + i, Role.USER, "text " + i));
            }
            store.upsertMessagesBatch(traceId, batch);
            if (b % 10 == 9) {
                store.recalculateMessageCount(traceId);
            }
        }
    }
}
