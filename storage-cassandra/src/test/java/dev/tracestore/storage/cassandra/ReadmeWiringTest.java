package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README's Cassandra wiring is real code: it runs on the test node, and the README shows it verbatim. */
class ReadmeWiringTest {
    private static final Path SOURCE = Path.of("src/test/java/dev/tracestore/storage/cassandra/ReadmeWiringTest.java");

    @Test
    void wiring_migratesAndStores() {
        CqlSession session = TestCassandra.session();
        // tag::wiring[]
        CassandraTraceStorage storage = CassandraTraceStorage.builder(session)
                .keyspace("tracestore")                             // yours, created with the replication you need
                .consistency(DefaultConsistencyLevel.LOCAL_QUORUM)  // the default
                .build();
        storage.migrate();                                          // creates the tables; safe to run concurrently
        TraceStore store = TraceStore.builder().storage(storage).build();
        // end::wiring[]

        long id = store.upsertTrace(TraceInput.of("readme", "s-" + System.nanoTime())).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("m-1", 1, Role.USER, "hello"),
                MessageInput.of("m-2", 2, Role.ASSISTANT, "hi")));
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(2);
    }

    @Test
    void readme_showsTheWiringVerbatim() throws IOException {
        String source = Files.readString(SOURCE);
        String start = "// tag::wiring[]\n";
        String snippet = source.substring(source.indexOf(start) + start.length(),
                source.indexOf("        // end::wiring[]"));
        String dedented = Arrays.stream(snippet.split("\n"))
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains(dedented);
    }
}
