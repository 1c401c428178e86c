package dev.tracestore.storage.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The child JVM of {@link KillDuringIngestTest}: four writers send batches of 1 to 1000
 * messages (sizes log-uniform, some ids sent twice within a batch) into the given traces
 * while a fifth thread recounts them, until the parent kills the process.
 *
 * <p>Every message id names its batch and the batch's number of distinct ids
 * ({@code <batch>.<distinct>.<i>}), so that the parent can tell a whole batch from a part of
 * one without this process's help. Before a batch is sent, {@code sent <batch>} is written to
 * the side file; after {@code upsertMessagesBatch} returns, {@code ack <batch>}; after it
 * throws, {@code failed <batch>}. Each line is one {@code write(2)}, done before the next step,
 * so it outlives a SIGKILL (it is in the kernel's page cache; only a machine crash would need
 * an fsync). Prints {@code writing} once the first batch is acknowledged.
 *
 * <p>Arguments: JDBC URL, user (or "-"), password, table prefix, side file, seed, round,
 * trace ids separated by commas.
 */
final class IngestingProcess {
    static final int WRITERS = 4;
    static final int MAX_BATCH = 1000;

    private IngestingProcess() {}

    public static void main(String[] args) throws Exception {
        HikariConfig config = ChildJvm.poolConfig(args);
        config.setMaximumPoolSize(WRITERS + 2);
        String prefix = args[3];
        long seed = Long.parseLong(args[5]);
        int round = Integer.parseInt(args[6]);
        long[] traces = Arrays.stream(args[7].split(",")).mapToLong(Long::parseLong).toArray();
        try (HikariDataSource pool = new HikariDataSource(config);
                FileChannel log = FileChannel.open(Path.of(args[4]), StandardOpenOption.CREATE,
                        StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            TraceStore store = TraceStore.builder()
                    .storage(JdbcTraceStorage.builder(pool).tablePrefix(prefix).build()).build();
            SideFile side = new SideFile(log);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WRITERS; w++) {
                SplittableRandom random = new SplittableRandom(seed * 31 + w);
                String writer = "r" + round + "w" + w;
                threads.add(new Thread(() -> write(store, side, writer, traces, random), writer));
            }
            SplittableRandom recountRandom = new SplittableRandom(seed * 31 + WRITERS);
            threads.add(new Thread(() -> recount(store, traces, recountRandom), "recount"));
            threads.forEach(Thread::start);
            for (Thread t : threads) {
                t.join();
            }
        }
    }

    private static void write(TraceStore store, SideFile side, String writer, long[] traces, SplittableRandom random) {
        long sequence = 0;
        for (int b = 0; ; b++) {
            long trace = traces[random.nextInt(traces.length)];
            int distinct = (int) Math.min(MAX_BATCH, Math.floor(Math.pow(MAX_BATCH, random.nextDouble())));
            String batchId = writer + "b" + b;
            List<MessageInput> batch = new ArrayList<>(distinct + distinct / 10 + 1);
            for (int i = 0; i < distinct; i++) {
                batch.add(message(batchId + "." + distinct + "." + i, sequence++, random));
            }
            if (random.nextInt(3) == 0) { // re-send some ids within the batch: they count once
                for (int i = Math.min(distinct / 10 + 1, MAX_BATCH - distinct); i > 0; i--) {
                    batch.add(message(batchId + "." + distinct + "." + random.nextInt(distinct), sequence++, random));
                }
            }
            side.append("sent " + batchId + " " + trace);
            try {
                store.upsertMessagesBatch(trace, batch);
            } catch (RuntimeException e) {
                side.append("failed " + batchId + " " + e);
                continue;
            }
            side.append("ack " + batchId);
        }
    }

    private static MessageInput message(String id, long sequence, SplittableRandom random) {
        return MessageInput.of(id, sequence, random.nextBoolean() ? Role.USER : Role.ASSISTANT,
                "x".repeat(20 + random.nextInt(180)));
    }

    private static void recount(TraceStore store, long[] traces, SplittableRandom random) {
        while (true) {
            try {
                store.recalculateMessageCount(traces[random.nextInt(traces.length)]);
                Thread.sleep(20);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                System.err.println("recount failed: " + e);
            }
        }
    }

    /** The side file: one {@code write(2)} per line, so that a line is either in the kernel or not written. */
    private static final class SideFile {
        private final FileChannel channel;
        private boolean announced;

        SideFile(FileChannel channel) {
            this.channel = channel;
        }

        synchronized void append(String line) {
            ByteBuffer bytes = ByteBuffer.wrap((line.replace('\n', ' ') + "\n").getBytes(StandardCharsets.UTF_8));
            try {
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot write the side file", e);
            }
            if (!announced && line.startsWith("ack ")) {
                announced = true;
                System.out.println("writing");
                System.out.flush();
            }
        }
    }
}
