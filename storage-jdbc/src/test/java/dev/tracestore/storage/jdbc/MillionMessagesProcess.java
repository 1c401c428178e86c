package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.Message;
import dev.tracestore.MessageInput;
import dev.tracestore.Page;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.util.ArrayList;
import java.util.List;

/**
 * The child JVM of {@link MillionMessagesTest}, run with a small heap: writes a trace of
 * {@code n} messages in batches of 10,000, lists it page by page, recounts and deletes it,
 * printing one {@code key=value} line per result. Arguments: JDBC URL, user (or "-"), password,
 * table prefix, n.
 */
final class MillionMessagesProcess {
    private MillionMessagesProcess() {}

    public static void main(String[] args) throws Exception {
        HikariConfig config = ChildJvm.poolConfig(args);
        config.addDataSourceProperty("reWriteBatchedInserts", "true");
        int n = Integer.parseInt(args[4]);
        try (HikariDataSource pool = new HikariDataSource(config)) {
            TraceStore store = TraceStore.builder()
                    .storage(JdbcTraceStorage.builder(pool).tablePrefix(args[3]).build())
                    .maxBatchSize(10_000)
                    .deletionChunkSize(10_000)
                    .build();
            long id = store.upsertTrace(TraceInput.of("size", "million")).id();
            long start = System.nanoTime();
            for (int from = 0; from < n; from += 10_000) {
                List<MessageInput> batch = new ArrayList<>(10_000);
                for (int i = from; i < Math.min(n, from + 10_000); i++) {
                    batch.add(MessageInput.of(String.format("m-%07d", i), i, Role.USER, "message " + i));
                }
                store.upsertMessagesBatch(id, batch);
            }
            System.out.println("written=" + store.getTrace(id).orElseThrow().messageCount() + " ms=" + ms(start));

            start = System.nanoTime();
            long listed = 0;
            long pages = 0;
            long lastSequence = -1;
            boolean ordered = true;
            String cursor = null;
            do {
                Page<Message> page = store.listMessages(id, cursor, 1000);
                for (Message m : page.items()) {
                    ordered &= m.sequence() == lastSequence + 1;
                    lastSequence = m.sequence();
                }
                listed += page.items().size();
                pages++;
                cursor = page.nextCursor();
            } while (cursor != null);
            System.out.println("listed=" + listed + " pages=" + pages + " ordered=" + ordered + " ms=" + ms(start));

            start = System.nanoTime();
            System.out.println("recounted=" + store.recalculateMessageCount(id).count() + " ms=" + ms(start));

            start = System.nanoTime();
            System.out.println("deleted=" + store.deleteTrace(id).messagesDeleted() + " ms=" + ms(start));
            System.out.println("found=" + store.getTrace(id).isPresent());
            Runtime rt = Runtime.getRuntime();
            System.out.println("maxHeapMb=" + rt.maxMemory() / (1 << 20));
        }
    }

    private static long ms(long start) {
        return (System.nanoTime() - start) / 1_000_000;
    }
}
