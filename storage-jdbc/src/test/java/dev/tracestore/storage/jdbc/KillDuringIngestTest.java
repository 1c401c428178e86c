package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Kills a JVM that is ingesting ({@link IngestingProcess}: four writers, batches of 1 to 1000
 * messages, some ids twice within a batch, a recount thread) with SIGKILL at random moments,
 * over and over on one database, and checks after every kill, without a recount, that the
 * database opens, that every batch the child acknowledged is stored whole, that no batch is
 * stored in part, and that every trace's cached count equals its rows.
 *
 * <p>Runs in the {@code reliability} profile. {@code -Dtracestore.kill.rounds=N} sets the
 * kills per database (default 10), {@code -Dtracestore.kill.seed=N} replays a run (the seed is
 * printed), and {@code -Dtracestore.kill.targets=A,B} picks the {@link Target}s. By default it
 * kills the configurations whose guarantees the README states: SQLite (the embedded default),
 * PostgreSQL and MariaDB. H2 file targets are for measuring: they lose acknowledged batches
 * (H2's 500 ms write delay) and store batches in part (with {@code WRITE_DELAY=0} too), so the
 * README states H2 file as not crash-safe and the storage warns about it.
 */
@Tag("reliability")
class KillDuringIngestTest {
    private static final int ROUNDS = Integer.getInteger("tracestore.kill.rounds", 10);
    private static final int TRACES_PER_ROUND = 3;
    private static final String CANNOT_READ = "the database cannot be read after the kill";

    /** The database configurations the test can kill a writer of. */
    enum Target {
        /** The embedded default: an SQLite file as the README configures it. */
        SQLITE_FILE(Setup.SQLITE_FILE, ""),
        /** SQLite with {@code synchronous=FULL} instead of {@code NORMAL}: what a machine crash would need. */
        SQLITE_FILE_SYNCHRONOUS_FULL(Setup.SQLITE_FILE, "synchronous=FULL"),
        /** An H2 file as the tests and the README configure it. */
        H2_FILE(Setup.H2_FILE, ""),
        /** An H2 file with H2's own defaults (a write delay of 500 ms). */
        H2_FILE_H2_DEFAULTS(Setup.H2_FILE, "WRITE_DELAY=500"),
        /** An H2 file that writes each commit at once ({@code WRITE_DELAY=0}). */
        H2_FILE_WRITE_DELAY_0(Setup.H2_FILE, "WRITE_DELAY=0"),
        POSTGRESQL(Setup.POSTGRESQL, ""),
        MARIADB(Setup.MARIADB, "");

        private final Setup setup;
        private final String setting;

        Target(Setup setup, String setting) {
            this.setup = setup;
            this.setting = setting;
        }

        HikariConfig config(String name) {
            HikariConfig config = setup.config(name);
            if (!setting.isEmpty()) {
                String url = config.getJdbcUrl();
                config.setJdbcUrl(setup == Setup.H2_FILE ? url + ";" + setting
                        : url.replaceAll("synchronous=[A-Z]+", setting));
            }
            return config;
        }
    }

    static Stream<Target> targets() {
        return Arrays.stream(System.getProperty("tracestore.kill.targets", "SQLITE_FILE,POSTGRESQL,MARIADB")
                .split(",")).map(String::trim).map(Target::valueOf);
    }

    @ParameterizedTest
    @MethodSource("targets")
    void killedIngest_leavesAcknowledgedBatchesWholeAndCountsExact_withoutARecount(Target target) throws Exception {
        if (target.setup == Setup.MARIADB) {
            assumeThat(Setup.mariaDbSkipReason()).as("MariaDB reachable").isNull();
        }
        long seed = Long.getLong("tracestore.kill.seed", System.nanoTime());
        System.out.printf("KillDuringIngestTest %s: seed %d (replay with -Dtracestore.kill.seed=%d), %d rounds%n",
                target, seed, seed, ROUNDS);
        SplittableRandom random = new SplittableRandom(seed);
        String name = "kill" + Long.toHexString(random.nextLong() & 0xffffffffL);
        String prefix = name + "_";
        Path dir = Files.createDirectories(Path.of("target", "kill"));
        Path side = dir.resolve(name + ".log");
        List<String> problems = new ArrayList<>();
        List<Long> traces = new ArrayList<>();
        Tally total = new Tally();
        try {
            // Every round runs, after a loss too, so that a measurement shows how often each thing breaks;
            // only a database that can no longer be read ends the run.
            for (int round = 1; round <= ROUNDS && !unreadable(problems); round++) {
                List<Long> fresh;
                try {
                    fresh = createTraces(target, name, prefix, round);
                } catch (RuntimeException e) {
                    problems.add("round " + round + ": " + CANNOT_READ + " (opening it for the next round): " + e);
                    break;
                }
                long killAfterMillis = 200 + random.nextInt(2800);
                killWhileWriting(target, name, prefix, side, dir.resolve(name + "-" + round + ".err"),
                        random.nextLong(), round, fresh, killAfterMillis);
                traces.addAll(fresh);
                Tally tally = check(target, name, prefix, side, round, fresh, traces, problems);
                total.add(tally);
                System.out.printf("KillDuringIngestTest %s round %d: killed %d ms after the first acknowledgement; %s%n",
                        target, round, killAfterMillis, tally);
            }
            System.out.printf("KillDuringIngestTest %s in all: %s%n", target, total);
        } finally {
            if (target.setup == Setup.POSTGRESQL || target.setup == Setup.MARIADB) {
                try (HikariDataSource pool = new HikariDataSource(target.config(name))) {
                    new TestDatabase(target.setup, pool, prefix).close();
                }
            }
        }
        assertThat(problems).as("what the kills broke on %s (seed %d)", target, seed).isEmpty();
        assertThat(total.acknowledged).as("batches acknowledged before the kills").isPositive();
    }

    private static boolean unreadable(List<String> problems) {
        return !problems.isEmpty() && problems.get(problems.size() - 1).contains(CANNOT_READ);
    }

    private static List<Long> createTraces(Target target, String name, String prefix, int round) {
        try (HikariDataSource pool = new HikariDataSource(target.config(name))) {
            JdbcTraceStorage storage = JdbcTraceStorage.builder(pool).tablePrefix(prefix).build();
            storage.migrate();
            TraceStore store = TraceStore.builder().storage(storage).build();
            List<Long> ids = new ArrayList<>();
            for (int t = 0; t < TRACES_PER_ROUND; t++) {
                ids.add(store.upsertTrace(TraceInput.of("ns", "round" + round + "-" + t)).id());
            }
            return ids;
        } // the child gets the database to itself: H2 locks its file
    }

    private static void killWhileWriting(Target target, String name, String prefix, Path side, Path stderr, long seed,
            int round, List<Long> traces, long killAfterMillis) throws Exception {
        HikariConfig config = target.config(name);
        Process child = ChildJvm.start(List.of("-Xmx256m"), ProcessBuilder.Redirect.to(stderr.toFile()),
                IngestingProcess.class, ChildJvm.poolArguments(config, prefix, side.toAbsolutePath().toString(),
                        Long.toString(seed), Integer.toString(round),
                        traces.stream().map(String::valueOf).collect(Collectors.joining(","))));
        try {
            CountDownLatch writing = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = out.readLine()) != null; ) {
                        if (line.equals("writing")) {
                            writing.countDown();
                        }
                    }
                } catch (IOException ignored) {
                    // the child was killed
                }
            });
            reader.setDaemon(true);
            reader.start();
            assertThat(writing.await(60, TimeUnit.SECONDS))
                    .as("the child acknowledged a batch within 60 s (its stderr: %s)", stderr).isTrue();
            Thread.sleep(killAfterMillis);
        } finally {
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no pool close, nothing flushed
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).as("the killed child exited").isTrue();
        }
    }

    /** Reopens the database and checks this round's batches and every trace's count; adds what it finds broken. */
    private static Tally check(Target target, String name, String prefix, Path side, int round, List<Long> fresh,
            List<Long> all, List<String> problems) throws IOException {
        Map<String, Long> sent = new HashMap<>();
        Set<String> acknowledged = new HashSet<>();
        Set<String> failed = new HashSet<>();
        String mine = "r" + round + "w";
        for (String line : Files.readAllLines(side)) {
            String[] f = line.split(" ", 3);
            if (f.length < 2 || !f[1].startsWith(mine)) {
                continue;
            }
            switch (f[0]) {
                case "sent" -> sent.put(f[1], Long.parseLong(f[2]));
                case "ack" -> acknowledged.add(f[1]);
                case "failed" -> failed.add(f[1]);
                default -> throw new IllegalStateException("side file line: " + line);
            }
        }
        Tally tally = new Tally();
        tally.acknowledged = acknowledged.size();
        tally.failed = failed.size();
        try (HikariDataSource pool = new HikariDataSource(target.config(name));
                Connection c = pool.getConnection()) {
            Dialect dialect = JdbcTraceStorage.builder(pool).tablePrefix(prefix).build().dialect();
            String traces = dialect.quote(prefix + "traces");
            String messages = dialect.quote(prefix + "messages");
            // Every stored message of this round's traces, by batch: <batch>.<distinct ids>.<i>
            Map<String, Set<String>> stored = new HashMap<>();
            Map<String, Long> storedIn = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT trace_id, external_id FROM " + messages
                    + " WHERE trace_id IN (" + fresh.stream().map(String::valueOf).collect(Collectors.joining(","))
                    + ")"); ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = rs.getString(2);
                    String batch = id.substring(0, id.indexOf('.'));
                    stored.computeIfAbsent(batch, k -> new HashSet<>()).add(id);
                    if (storedIn.putIfAbsent(batch, rs.getLong(1)) == null && !Long.valueOf(rs.getLong(1))
                            .equals(sent.get(batch))) {
                        problems.add("round " + round + ": batch " + batch + " stored in trace " + rs.getLong(1)
                                + ", sent to " + sent.get(batch));
                    }
                }
            }
            for (Map.Entry<String, Set<String>> e : stored.entrySet()) {
                String anyId = e.getValue().iterator().next();
                int distinct = Integer.parseInt(anyId.split("\\.")[1]);
                if (e.getValue().size() != distinct) {
                    problems.add("round " + round + ": batch " + e.getKey() + " (" + (acknowledged.contains(e.getKey())
                            ? "acknowledged" : "not acknowledged") + ") stored in part: " + e.getValue().size()
                            + " of its " + distinct + " messages");
                }
                if (!sent.containsKey(e.getKey())) {
                    problems.add("round " + round + ": batch " + e.getKey() + " stored but never sent");
                }
            }
            for (String batch : acknowledged) {
                if (!stored.containsKey(batch)) {
                    problems.add("round " + round + ": acknowledged batch " + batch + " missing");
                }
            }
            for (String batch : sent.keySet()) {
                if (!acknowledged.contains(batch)) {
                    tally.inFlight++;
                    if (stored.containsKey(batch)) {
                        tally.inFlightWhole++;
                    }
                }
            }
            // Every trace so far, earlier rounds' too: the cached count equals the rows.
            for (long trace : all) {
                try (PreparedStatement ps = c.prepareStatement("SELECT message_count, (SELECT COUNT(*) FROM " + messages
                        + " WHERE trace_id = ?) FROM " + traces + " WHERE id = ?")) {
                    ps.setLong(1, trace);
                    ps.setLong(2, trace);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            problems.add("round " + round + ": trace " + trace + " missing");
                        } else if (rs.getLong(1) != rs.getLong(2)) {
                            problems.add("round " + round + ": trace " + trace + " counts " + rs.getLong(1) + " but has "
                                    + rs.getLong(2) + " messages");
                        } else {
                            tally.tracesExact++;
                        }
                    }
                }
            }
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(seq) FROM "
                    + messages)) { // reads every row: a damaged page fails here
                rs.next();
                tally.rows = rs.getLong(1);
            }
        } catch (SQLException | RuntimeException e) {
            problems.add("round " + round + ": " + CANNOT_READ + ": " + e);
        }
        return tally;
    }

    /** What one round (or all of them) found. */
    private static final class Tally {
        int acknowledged;
        int failed;
        int inFlight;
        int inFlightWhole;
        int tracesExact;
        long rows;

        void add(Tally t) {
            acknowledged += t.acknowledged;
            failed += t.failed;
            inFlight += t.inFlight;
            inFlightWhole += t.inFlightWhole;
            // Each round checks every trace so far and reads the whole table: the last round's figures are the run's.
            tracesExact = t.tracesExact;
            rows = t.rows;
        }

        @Override
        public String toString() {
            return acknowledged + " batches acknowledged (" + failed + " failed); " + inFlight + " in flight at the kill: "
                    + inFlightWhole + " whole, " + (inFlight - inFlightWhole) + " absent; count = rows on " + tracesExact
                    + " traces; " + rows + " messages in the database";
        }
    }
}
