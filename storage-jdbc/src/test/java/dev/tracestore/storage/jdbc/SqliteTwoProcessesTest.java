package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.testkit.TraceStorageContract;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Two processes writing one SQLite file, as a service and a sync command would: a child JVM and
 * this one each write batches into the same trace and recount it now and then. No increment is
 * lost, the count ends equal to the rows, and neither process ran a transaction twice: SQLite's
 * file lock and {@code busy_timeout} queue the writers of both, where within one JVM the
 * adapter's own write lock does.
 */
class SqliteTwoProcessesTest {
    private static final int BATCHES = 1000;
    private static final int SIZE = 20;

    @Test
    void writersInTwoProcesses_loseNoIncrement_andRetryNothing() throws Exception {
        try (TestDatabase db = Setup.SQLITE_FILE.open()) {
            JdbcTraceStorage storage = db.storage(InterceptingDataSource.over(() -> { }));
            TraceStore store = TraceStore.builder().storage(storage).build();
            long traceId = store.upsertTrace(TraceInput.of("ns", "shared")).id();

            Process child = ChildJvm.start(List.of("-Xmx128m"), WritingProcess.class, ChildJvm.poolArguments(db.pool,
                    db.prefix, Long.toString(traceId), Integer.toString(BATCHES), Integer.toString(SIZE), "child"));
            List<String> output = new ArrayList<>();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                    StandardCharsets.UTF_8))) {
                output.add(out.readLine());
                assertThat(output).as("the child's first line, after its first batch").containsExactly("writing");
                WritingProcess.write(store, traceId, BATCHES, SIZE, "parent"); // while the child writes its others
                for (String line; (line = out.readLine()) != null; ) {
                    output.add(line);
                }
                assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("the child finished").isTrue();
            } finally {
                child.destroyForcibly();
            }
            assertThat(child.exitValue()).as("the child's exit status; its output: %s", output).isZero();
            assertThat(output).as("the child's report").containsExactly("writing", "retried 0", "done");
            assertThat(storage.retriedTransactions()).as("transactions this process retried").isZero();

            long expected = 2L * BATCHES * SIZE;
            assertThat(TraceStorageContract.allMessages(store, traceId)).hasSize((int) expected);
            assertThat(store.getTrace(traceId).orElseThrow().messageCount()).as("the cached count").isEqualTo(expected);
        }
    }
}
