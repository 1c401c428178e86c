package dev.tracestore.examples;

import dev.tracestore.BatchResult;
import dev.tracestore.DeleteResult;
import dev.tracestore.MessageInput;
import dev.tracestore.Recount;
import dev.tracestore.Role;
import dev.tracestore.TraceDetail;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceQuery;
import dev.tracestore.TraceStore;
import dev.tracestore.TraceSummary;
import dev.tracestore.Visibility;
import dev.tracestore.storage.memory.InMemoryTraceStorage;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo: stores three agent sessions, shows the optimistic count drifting after a re-sent
 * batch and a recount repairing it, lists the traces with their counts and deletes one.
 *
 * <p>Run it with {@code mvn -B -q -pl examples -am compile exec:java} from the repository root.
 */
public final class Demo {
    private static final String NS = "demo";

    private final TraceStore store;
    private final PrintStream out;

    Demo(TraceStore store, PrintStream out) {
        this.store = store;
        this.out = out;
    }

    public static void main(String[] args) {
        TraceStore store = TraceStore.builder().storage(InMemoryTraceStorage.create()).clock(Clock.systemUTC()).build();
        new Demo(store, System.out).run();
    }

    void run() {
        out.println("TraceStore demo: in-memory storage, namespace \"" + NS + "\"");
        out.println();

        out.println("1. Ingest three sessions in batches (each batch = one write to its trace row)");
        TraceDetail flaky = session("claude-code", "Fix flaky date test", "claude-opus-4-5", 40, 20);
        TraceDetail parser = session("codex", "Port the CSV parser to streaming", "gpt-5-codex", 120, 50);
        TraceDetail doomed = session("cursor", "Spike: try a new build tool", "claude-sonnet-4-5", 25, 25);

        out.println();
        out.println("2. A client retries its last batch of \"" + flaky.title() + "\"");
        BatchResult retry = store.upsertMessagesBatch(flaky.id(), messages(flaky, 20, 20));
        out.printf("   re-sent %d messages; cached count is now %d (nobody asked what already existed)%n",
                retry.received(), count(flaky));
        Recount fixed = store.recalculateMessageCount(flaky.id());
        out.printf("   recalculateMessageCount: exact count %d, drift corrected %d%n", fixed.count(), fixed.drift());

        out.println();
        out.println("3. Traces, most recently updated first");
        table(store.listTraces(TraceQuery.namespace(NS)).items());

        out.println();
        DeleteResult gone = store.deleteTrace(doomed.id());
        out.printf("4. deleteTrace(%d): existed %s, %d messages removed in chunks, no count bookkeeping%n",
                gone.traceId(), gone.existed(), gone.messagesDeleted());
        table(store.listTraces(TraceQuery.namespace(NS)).items());
        out.printf("%nThe parser trace still shows %d messages; its detail and the list agree.%n", count(parser));
    }

    private TraceDetail session(String agent, String title, String model, int messages, int batchSize) {
        TraceDetail trace = store.upsertTrace(TraceInput.of(NS, agent + "-" + title.hashCode())
                .withTitle(title).withAgent(agent).withModel(model).withVisibility(Visibility.PUBLIC));
        int batches = 0;
        for (int from = 0; from < messages; from += batchSize) {
            store.upsertMessagesBatch(trace.id(), messages(trace, from, Math.min(batchSize, messages - from)));
            batches++;
        }
        out.printf("   %-12s %-36s %4d messages in %d batch%s -> count %d%n", agent, title, messages, batches,
                batches == 1 ? "" : "es", count(trace));
        return trace;
    }

    private static List<MessageInput> messages(TraceDetail trace, int from, int n) {
        Instant start = trace.createdAt();
        List<MessageInput> list = new ArrayList<>(n);
        for (int i = from; i < from + n; i++) {
            Role role = i % 2 == 0 ? Role.USER : Role.ASSISTANT;
            list.add(MessageInput.of("msg-" + i, i, role, role == Role.USER ? "Request " + i : "Reply " + i)
                    .withCreatedAt(start.plus(Duration.ofSeconds(i))));
        }
        return list;
    }

    private long count(TraceDetail trace) {
        return store.getTrace(trace.id()).orElseThrow().messageCount();
    }

    private void table(List<TraceSummary> traces) {
        out.printf("   %-4s %-12s %8s  %s%n", "ID", "AGENT", "MESSAGES", "TITLE");
        for (TraceSummary t : traces) {
            out.printf("   %-4d %-12s %8d  %s%n", t.id(), t.agentId(), t.messageCount(), t.title());
        }
    }
}
