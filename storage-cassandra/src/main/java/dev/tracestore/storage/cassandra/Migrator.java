package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import dev.tracestore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the shipped migrations ({@code db/tracestore/cassandra/V<n>__<description>.cql}) that
 * a keyspace lacks, and records each in {@code <keyspace>.schema_history}.
 *
 * <p>Safe when several processes migrate at once. Every shipped statement is
 * {@code CREATE … IF NOT EXISTS}. But two coordinators that each create the same table before
 * hearing of the other's would give it two different ids (Cassandra 5.0 draws table ids at
 * random unless {@code use_deterministic_table_id} is set), and the cluster would keep one while
 * data may already sit under the other. So every process sends its schema statements to the
 * same coordinator (the live node with the smallest host id), which applies schema changes one
 * at a time: the second {@code CREATE … IF NOT EXISTS} finds the table. After each statement the migrator waits for
 * the cluster to agree on the schema. A version is recorded with {@code INSERT … IF NOT
 * EXISTS}; recording one that another process recorded first is not an error.
 */
final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    /** The shipped migrations, in order. */
    private static final List<String> MIGRATIONS = List.of("V1__create_tables.cql");
    private static final Pattern NAME = Pattern.compile("V(\\d+)__(\\w+)\\.cql");
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{(\\w+)}");
    private static final Duration DDL_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration AGREEMENT_TIMEOUT = Duration.ofMinutes(1);
    private static final int ATTEMPTS = 5;

    private final CqlSession session;
    private final String keyspace;
    private final ConsistencyLevel consistency;
    private final ConsistencyLevel serialConsistency;

    Migrator(CqlSession session, String keyspace, ConsistencyLevel consistency, ConsistencyLevel serialConsistency) {
        this.session = session;
        this.keyspace = keyspace;
        this.consistency = consistency;
        this.serialConsistency = serialConsistency;
    }

    /** Applies what is missing; returns how many versions this call applied. */
    int migrate() {
        for (int attempt = 1; ; attempt++) {
            try {
                return migrateOnce();
            } catch (DriverException e) {
                if (attempt >= ATTEMPTS) {
                    throw new StorageException("Cassandra storage: migrating keyspace " + keyspace + " failed: "
                            + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
                }
                // Most likely the chosen coordinator went down: choose again.
                log.debug("Migration attempt {} failed ({}); retrying", attempt, e.toString());
                pause(attempt);
            }
        }
    }

    private int migrateOnce() {
        requireKeyspace();
        Node coordinator = coordinator();
        ddl(coordinator, "CREATE TABLE IF NOT EXISTS " + keyspace + ".schema_history (version int PRIMARY KEY,"
                + " description text, installed_on text)");
        Set<Integer> applied = new HashSet<>();
        for (Row r : session.execute(SimpleStatement.newInstance("SELECT version FROM " + keyspace + ".schema_history")
                .setConsistencyLevel(consistency))) {
            applied.add(r.getInt(0));
        }
        int count = 0;
        for (String file : MIGRATIONS) {
            Matcher m = NAME.matcher(file);
            if (!m.matches()) {
                throw new IllegalStateException("migration file name " + file + " is not V<n>__<description>.cql");
            }
            int version = Integer.parseInt(m.group(1));
            if (applied.contains(version)) {
                continue;
            }
            for (String statement : statements(read(file), keyspace)) {
                ddl(coordinator, statement);
            }
            Row recorded = session.execute(SimpleStatement.newInstance("INSERT INTO " + keyspace
                            + ".schema_history (version, description, installed_on) VALUES (?, ?, ?) IF NOT EXISTS",
                            version, m.group(2), Instant.now().toString())
                    .setConsistencyLevel(consistency).setSerialConsistencyLevel(serialConsistency)).one();
            if (recorded != null && recorded.getBoolean("[applied]")) {
                count++;
                log.debug("Applied migration {} to keyspace {}", file, keyspace);
            }
        }
        return count;
    }

    private void requireKeyspace() {
        Row found = session.execute(SimpleStatement.newInstance(
                "SELECT keyspace_name FROM system_schema.keyspaces WHERE keyspace_name = ?", keyspace)).one();
        if (found == null) {
            throw new StorageException("Cassandra storage: keyspace " + keyspace + " does not exist; create it with the"
                    + " replication the cluster needs, for example CREATE KEYSPACE " + keyspace + " WITH replication ="
                    + " {'class': 'NetworkTopologyStrategy', 'datacenter1': 3}", null);
        }
    }

    /** The live node with the smallest host id: every migrating process picks the same one. Null if none is known. */
    private Node coordinator() {
        return session.getMetadata().getNodes().values().stream()
                .filter(n -> n.getState() == NodeState.UP && n.getHostId() != null)
                .min(Comparator.comparing(Node::getHostId))
                .orElse(null);
    }

    /** Runs a schema statement on {@code coordinator}, then waits until the cluster agrees on the schema. */
    private void ddl(Node coordinator, String statement) {
        SimpleStatement ddl = SimpleStatement.newInstance(statement).setTimeout(DDL_TIMEOUT).setIdempotent(true);
        ResultSet rs = session.execute(coordinator == null ? ddl : ddl.setNode(coordinator));
        if (rs.getExecutionInfo().isSchemaInAgreement()) {
            return;
        }
        long deadline = System.nanoTime() + AGREEMENT_TIMEOUT.toNanos();
        while (!session.checkSchemaAgreement()) {
            if (System.nanoTime() > deadline) {
                throw new StorageException("Cassandra storage: the cluster did not agree on the schema of keyspace "
                        + keyspace + " within " + AGREEMENT_TIMEOUT + " after: " + firstLine(statement), null);
            }
            pause(1);
        }
    }

    private static String read(String file) {
        String path = "db/tracestore/cassandra/" + file;
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("migration " + path + " is missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read migration " + path, e);
        }
    }

    /** The script's statements: comment lines dropped, {@code ${keyspace}} replaced, split at a {@code ;} ending a line. */
    static List<String> statements(String script, String keyspace) {
        StringBuilder cql = new StringBuilder();
        for (String line : script.split("\n")) {
            if (!line.strip().startsWith("--")) {
                cql.append(line).append('\n');
            }
        }
        Matcher m = PLACEHOLDER.matcher(cql);
        StringBuilder replaced = new StringBuilder();
        while (m.find()) {
            if (!m.group(1).equals("keyspace")) {
                throw new IllegalStateException("migration placeholder ${" + m.group(1) + "} has no value");
            }
            m.appendReplacement(replaced, Matcher.quoteReplacement(keyspace));
        }
        m.appendTail(replaced);
        List<String> statements = new ArrayList<>();
        for (String s : replaced.toString().split(";\\s*\n")) {
            if (!s.isBlank()) {
                statements.add(s.strip());
            }
        }
        return statements;
    }

    private static String firstLine(String statement) {
        int end = statement.indexOf('\n');
        return end < 0 ? statement : statement.substring(0, end);
    }

    private static void pause(int attempt) {
        try {
            Thread.sleep(100L * attempt);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException("interrupted while migrating the Cassandra schema", e);
        }
    }
}
