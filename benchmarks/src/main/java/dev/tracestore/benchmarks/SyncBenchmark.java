package dev.tracestore.benchmarks;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tracestore.MessageInput;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import dev.tracestore.sync.SessionFormat;
import dev.tracestore.sync.SessionSync;
import dev.tracestore.sync.SyncReport;
import dev.tracestore.sync.formats.ClaudeCodeFormat;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.runner.IterationType;

/**
 * {@code tracestore-sync} against its floor: syncing a generated Claude Code session of
 * {@code turns} turns (4 messages and a 4 KiB {@code progress} record each) into a new trace,
 * against the sum of what it cannot avoid, measured in the same invocation, in a random order:
 * <ul>
 *   <li>{@code parse}: reading the file with Jackson's streaming parser alone, every token of every line;
 *   <li>{@code write}: sending the same messages, parsed beforehand, through
 *       {@link TraceStore#appendMessages} in batches of 500, the sync's batch size.
 * </ul>
 * At the end of each trial it prints {@code SYNC} with the median of each and
 * {@code floor ÷ sync}, (parse + write) over sync: at 1, the sync costs nothing but parsing and
 * writing. (That its memory is flat in the file's size is shown by the reliability test that
 * syncs a 1 GB file with {@code -Xmx256m}, {@code SyncReliabilityTest}.)
 *
 * <p>Run from the repository root (about 2 minutes):
 * <pre>mvn -B -q -pl benchmarks -am package exec:exec -DskipTests -Djmh.args="benchmarks.SyncBenchmark"</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3)
@Measurement(iterations = 10)
@Fork(value = 1, jvmArgsAppend = {"-Xms256m", "-Xmx256m"})
public class SyncBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonFactory FACTORY = JSON.getFactory();

    @Param({"sqlite", "postgresql"})
    public String storage;

    @Param({"2000", "8000"})
    public int turns;

    BenchDatabase db;
    TraceStore store;
    Path dir;
    Path file;
    List<MessageInput> parsed;
    final Random random = new Random(42);
    final List<long[]> times = new ArrayList<>(); // sync, parse, write, in ns
    int runs;
    boolean measuring;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        db = BenchDatabase.open(storage);
        store = TraceStore.builder().storage(db.storage).build();
        dir = Files.createTempDirectory("sync-bench");
        file = dir.resolve("session.jsonl");
        write(file, turns);
        parsed = messagesOf(file);
        if (parsed.size() != turns * 4) {
            throw new IllegalStateException("expected " + turns * 4 + " messages, read " + parsed.size());
        }
    }

    /** Only the measurement iterations' invocations are counted. */
    @Setup(Level.Iteration)
    public void iteration(IterationParams params) {
        measuring = params.getType() == IterationType.MEASUREMENT;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        long[] sync = column(0), parse = column(1), write = column(2);
        double floor = median(parse) + median(write);
        System.out.printf(Locale.ROOT, "%nSYNC %s turns=%d (%d messages, %.1f MB), %d runs: sync %.1f ms; parse %.1f ms;"
                        + " write %.1f ms; floor ÷ sync %.2f%n", storage, turns, parsed.size(), Files.size(file) / 1e6,
                sync.length, median(sync) / 1e6, median(parse) / 1e6, median(write) / 1e6, floor / median(sync));
        db.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }

    @Benchmark
    public long run() throws IOException {
        long[] t = new long[3];
        long sent = 0;
        for (int design : shuffled()) {
            long start = System.nanoTime();
            switch (design) {
                case 0 -> {
                    SyncReport r = SessionSync.builder(store).namespace("sync-" + runs).quietPeriod(Duration.ZERO).build()
                            .sync(List.of(file));
                    t[0] = System.nanoTime() - start;
                    if (r.messages() != parsed.size() || !r.problems().isEmpty()) {
                        throw new IllegalStateException("the sync sent " + r.messages() + " messages, problems " + r.problems());
                    }
                    sent += r.messages();
                }
                case 1 -> {
                    sent += parseOnly(file);
                    t[1] = System.nanoTime() - start;
                }
                default -> {
                    long trace = store.upsertTrace(TraceInput.of("write-" + runs, "session")).id();
                    String cursor = null;
                    for (int from = 0; from < parsed.size(); from += 500) {
                        String next = "c" + from;
                        store.appendMessages(trace, parsed.subList(from, Math.min(parsed.size(), from + 500)), cursor, next);
                        cursor = next;
                    }
                    t[2] = System.nanoTime() - start;
                }
            }
        }
        if (measuring) {
            times.add(t);
        }
        runs++;
        return sent;
    }

    private int[] shuffled() {
        int[] order = {0, 1, 2};
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int x = order[i];
            order[i] = order[j];
            order[j] = x;
        }
        return order;
    }

    /** Every token of every line, with Jackson's streaming parser, building nothing. */
    private static long parseOnly(Path file) throws IOException {
        long tokens = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                try (JsonParser p = FACTORY.createParser(line)) {
                    while (p.nextToken() != null) {
                        tokens++;
                    }
                }
            }
        }
        return tokens;
    }

    /** The messages the sync sends, read with the Claude Code format's own reader (outside the timing). */
    private static List<MessageInput> messagesOf(Path file) throws IOException {
        List<MessageInput> messages = new ArrayList<>();
        SessionFormat.Sink sink = new SessionFormat.Sink() {
            @Override public void message(MessageInput m) { messages.add(m); }
            @Override public void cut(String state) {}
            @Override public void rewind(long fromSequence, String state) { throw new IllegalStateException("no rewind here"); }
            @Override public void rewindTo(String externalId, String state) { throw new IllegalStateException("no rewind here"); }
            @Override public void title(String title) {}
            @Override public void model(String model) {}
            @Override public void project(String project) {}
            @Override public void seen(Instant at) {}
            @Override public void problem(long line, String reason) { throw new IllegalStateException(line + ": " + reason); }
        };
        SessionFormat.Reader reader = new ClaudeCodeFormat().reader(file, null);
        long n = 0;
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                reader.line(++n, JSON.readTree(line), sink);
            }
        }
        reader.end(true, sink);
        return messages;
    }

    /** A Claude Code session: per turn a prompt, a reply over two lines with a tool call, its result, a closing reply, a progress record. */
    static void write(Path file, int turns) throws IOException {
        write(file, turns, "bench");
    }

    /** The same, for session {@code session}. */
    static void write(Path file, int turns, String session) throws IOException {
        String text = "x".repeat(900);
        String progress = "{\"type\":\"progress\",\"sessionId\":\"" + session + "\",\"data\":\"" + "p".repeat(4000) + "\"}\n";
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            int n = 0;
            for (int t = 0; t < turns; t++) {
                w.write(user(session, ++n, "\"prompt " + t + " " + text.substring(0, 200) + "\""));
                w.write(reply(session, ++n, "m" + t + "a", "{\"type\":\"text\",\"text\":\"" + text + "\"}", 30));
                w.write(reply(session, ++n, "m" + t + "a", "{\"type\":\"tool_use\",\"id\":\"tool-" + t + "\",\"name\":\"Bash\",\"input\":{}}", 90));
                w.write(user(session, ++n, "[{\"type\":\"tool_result\",\"tool_use_id\":\"tool-" + t + "\",\"content\":\"" + text + text + "\"}]"));
                w.write(progress);
                w.write(reply(session, ++n, "m" + t + "b", "{\"type\":\"text\",\"text\":\"" + text + "\"}", 40));
            }
        }
    }

    private static String user(String session, int n, String content) {
        return "{\"type\":\"user\",\"sessionId\":\"" + session + "\",\"uuid\":\"u-" + n + "\",\"timestamp\":\"2026-01-01T00:00:00Z\","
                + "\"message\":{\"role\":\"user\",\"content\":" + content + "}}\n";
    }

    private static String reply(String session, int n, String id, String block, int outputTokens) {
        return "{\"type\":\"assistant\",\"sessionId\":\"" + session + "\",\"uuid\":\"a-" + n + "\",\"timestamp\":\"2026-01-01T00:00:01Z\","
                + "\"message\":{\"id\":\"" + id + "\",\"role\":\"assistant\",\"model\":\"m\",\"content\":[" + block + "],"
                + "\"usage\":{\"input_tokens\":3,\"cache_read_input_tokens\":19000,\"output_tokens\":" + outputTokens + "}}}\n";
    }

    private long[] column(int i) {
        return times.stream().mapToLong(t -> t[i]).toArray();
    }

    private static double median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2.0;
    }
}
