package dev.tracestore.storage.cassandra;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The README's Cassandra snippet is real code: it runs on the test node, and the README shows it verbatim. */
class ReadmeCassandraExampleTest {
    private final CqlSession session = TestCassandra.session();

    @BeforeEach
    void clear() {
        TestCassandra.clear();
    }

    private TraceStore readmeSnippet() {
        // tag::cassandra[]
        CassandraTraceStorage storage = CassandraTraceStorage.builder(session)
                .keyspace("tracestore")                             // yours, created with the replication you need
                .consistency(DefaultConsistencyLevel.LOCAL_QUORUM)  // the default
                .build();
        storage.migrate();                                          // creates the tables; safe to run concurrently
        TraceStore store = TraceStore.builder().storage(storage).build();
        // end::cassandra[]
        return store;
    }

    @Test
    void snippet_runs_andTheReadmeShowsItVerbatim() throws Exception {
        TraceStore store = readmeSnippet();
        long id = store.upsertTrace(TraceInput.of("team-42", "readme")).id();
        store.upsertMessagesBatch(id, List.of(MessageInput.of("m1", 1, Role.USER, "hi")));
        assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(1);

        String source = Files.readString(Path.of("src/test/java/dev/tracestore/storage/cassandra/ReadmeCassandraExampleTest.java"));
        String start = "// tag::cassandra[]\n";
        String snippet = source.substring(source.indexOf(start) + start.length(), source.indexOf("        // end::cassandra[]"));
        String dedented = Arrays.stream(snippet.split("\n")).map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));
        assertThat(Files.readString(Path.of("../README.md"))).contains(dedented);
    }
}
