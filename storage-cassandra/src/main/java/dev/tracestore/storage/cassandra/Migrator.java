package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.cql.ResultSet;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import com.datastax.oss.driver.api.core.metadata.NodeState;
import com.datastax.oss.driver.api.core.servererrors.QueryValidationException;
import dev.tracestore.StorageException;
import dev.tracestore.spi.Migrations;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the shipped migrations ({@code db/tracestore/cassandra/V<n>__<description>.cql}) that
 * a keyspace lacks, through the shared {@link Migrations} engine, and records each in
 * {@code <keyspace>.schema_history} with its checksum.
 *
 * <p>One migration of a keyspace runs at a time, whichever process starts it: it holds a lease,
 * a row of {@code <keyspace>.schema_lock} claimed with a lightweight transaction and written
 * with a time to live of {@value #LEASE_SECONDS} s, so that a process killed while migrating
 * frees it by itself; the engine reads the history once the lease is held. Every process also
 * sends its schema statements to the same coordinator (the live node with the smallest host
 * id), which applies schema changes one at a time, and waits after each for the cluster to agree
 * on the schema: two coordinators that each created the same table before hearing of the other
 * would give it two different ids (Cassandra 5.0 draws table ids at random unless
 * {@code use_deterministic_table_id} is set). Cassandra commits each schema change at once, so a
 * version is recorded only after its last statement succeeded.
 */
final class Migrator {
    private static final Logger log = LoggerFactory.getLogger(Migrator.class);
    private static final Duration DDL_TIMEOUT = Duration.ofMinutes(1);
    private static final Duration AGREEMENT_TIMEOUT = Duration.ofMinutes(1);
    /** How long a lease lives unless released: longer than any shipped migration takes. */
    static final int LEASE_SECONDS = 300;
    /** How long a migration waits for another's lease. */
    private static final Duration LEASE_WAIT = Duration.ofSeconds(LEASE_SECONDS + 60);
    private static final int ATTEMPTS = 5;

    private final CqlSession session;
    private final String keyspace;
    private final ConsistencyLevel consistency;
    private final ConsistencyLevel serialConsistency;
    private final List<String> locations;
    private final Clock clock;
    private final String history;
    private final String lock;

    Migrator(CqlSession session, String keyspace, ConsistencyLevel consistency, ConsistencyLevel serialConsistency,
            List<String> locations, Clock clock) {
        this.session = session;
        this.keyspace = keyspace;
        this.consistency = consistency;
        this.serialConsistency = serialConsistency;
        this.locations = locations;
        this.clock = clock;
        this.history = keyspace + ".schema_history";
        this.lock = keyspace + ".schema_lock";
    }

    /** The shipped scripts' directory. */
    static final String SHIPPED = "db/tracestore/cassandra";

    /** Applies what is missing; returns how many versions this call applied. */
    int migrate() {
        return migrate(Integer.MAX_VALUE);
    }

    /** Applies what is missing up to {@code version}, as that release would (upgrade tests); returns how many versions this call applied. */
    int migrate(int version) {
        String what = "Cassandra storage: migrating keyspace " + keyspace;
        Migrations migrations = Migrations.load(Migrator.class.getClassLoader(), locations, "cql",
                Map.of("keyspace", keyspace)).upTo(version);
        for (int attempt = 1; ; attempt++) {
            try {
                requireKeyspace();
                return migrations.migrate(new Run(coordinator()), clock, what);
            } catch (DriverException | StorageException e) {
                Throwable driver = e instanceof DriverException ? e : e.getCause();
                // A node that failed or timed out may be retried; a statement the cluster refused may not.
                boolean nodeFailure = driver instanceof DriverException && !(driver instanceof QueryValidationException);
                if (!nodeFailure || attempt >= ATTEMPTS) {
                    throw e instanceof StorageException se ? se : new StorageException(what + " failed: "
                            + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
                }
                // Most likely the chosen coordinator went down: choose again.
                log.debug("Migration attempt {} failed ({}); retrying", attempt, e.toString());
                pause(attempt);
            }
        }
    }

    /** The script's statements, with {@code ${keyspace}} filled in. */
    static List<String> statements(String script, String keyspace) {
        return Migrations.statements(script, Map.of("keyspace", keyspace));
    }

    /** One migration through one coordinator: the engine's {@link Migrations.Schema}. */
    private final class Run implements Migrations.Schema {
        private final Node coordinator;

        Run(Node coordinator) {
            this.coordinator = coordinator;
        }

        @Override
        public int locked(Migrations.Migration migration) throws Exception {
            ddl(coordinator, "CREATE TABLE IF NOT EXISTS " + lock + " (name text PRIMARY KEY, owner uuid)");
            UUID owner = UUID.randomUUID();
            acquire(owner);
            try {
                createHistory();
                return migration.run();
            } finally {
                release(owner);
            }
        }

        /** Claims the lease, waiting while another process holds it. */
        private void acquire(UUID owner) {
            long deadline = System.nanoTime() + LEASE_WAIT.toNanos();
            for (int attempt = 1; ; attempt++) {
                Row claimed = session.execute(SimpleStatement.newInstance("INSERT INTO " + lock
                                + " (name, owner) VALUES ('migrate', ?) IF NOT EXISTS USING TTL " + LEASE_SECONDS, owner)
                        .setConsistencyLevel(consistency).setSerialConsistencyLevel(serialConsistency)).one();
                if (claimed != null && (claimed.getBoolean("[applied]") || owner.equals(claimed.getUuid("owner")))) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new StorageException("Cassandra storage: migrating keyspace " + keyspace + ": another"
                            + " migration held its lease for over " + LEASE_WAIT.toSeconds() + " s", null);
                }
                pause(Math.min(attempt, 5));
            }
        }

        private void release(UUID owner) {
            try {
                session.execute(SimpleStatement.newInstance("DELETE FROM " + lock + " WHERE name = 'migrate' IF owner = ?",
                        owner).setConsistencyLevel(consistency).setSerialConsistencyLevel(serialConsistency));
            } catch (DriverException e) {
                log.warn("Releasing the migration lease of keyspace {} failed; it expires within {} s: {}", keyspace,
                        LEASE_SECONDS, e.toString());
            }
        }

        /** The history table, and its checksum column where a table from before checksums lacks it. */
        private void createHistory() {
            ddl(coordinator, "CREATE TABLE IF NOT EXISTS " + history + " (version int PRIMARY KEY,"
                    + " description text, installed_on text, checksum text)");
            Row column = session.execute(SimpleStatement.newInstance("SELECT column_name FROM system_schema.columns"
                    + " WHERE keyspace_name = ? AND table_name = 'schema_history' AND column_name = 'checksum'",
                    keyspace)).one();
            if (column == null) {
                ddl(coordinator, "ALTER TABLE " + history + " ADD checksum text");
            }
        }

        @Override
        public Map<Integer, String> applied() {
            Map<Integer, String> versions = new TreeMap<>();
            for (Row r : session.execute(SimpleStatement.newInstance("SELECT version, checksum FROM " + history)
                    .setConsistencyLevel(consistency))) {
                versions.put(r.getInt(0), r.getString(1));
            }
            return versions;
        }

        @Override
        public void apply(Migrations.Script script, Instant appliedAt) {
            for (String statement : script.statements()) {
                ddl(coordinator, statement);
            }
            session.execute(SimpleStatement.newInstance("INSERT INTO " + history
                            + " (version, description, installed_on, checksum) VALUES (?, ?, ?, ?)",
                    script.version(), script.description(), appliedAt.toString(), script.checksum())
                    .setConsistencyLevel(consistency));
            log.debug("Applied migration V{}__{} to keyspace {}", script.version(), script.description(), keyspace);
        }

        @Override
        public void recordChecksum(int version, String checksum) {
            session.execute(SimpleStatement.newInstance("UPDATE " + history + " SET checksum = ? WHERE version = ?",
                    checksum, version).setConsistencyLevel(consistency));
        }
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
