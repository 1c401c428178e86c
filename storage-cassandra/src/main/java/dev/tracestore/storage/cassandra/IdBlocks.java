package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import dev.tracestore.storage.cassandra.LightweightTransactions.Attempt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trace ids, handed out from blocks of {@value #ID_BLOCK} that this storage claims in
 * {@code id_blocks} by a lightweight transaction at {@code SERIAL} consistency, whatever the
 * configured serial consistency: ids must be unique across data centres. So ids are unique,
 * small, and roughly ascending (each storage instance counts up through its own block). A claim
 * whose outcome is unknown is given up: its ids are skipped, never used twice. Ids are never
 * reused, which is what lets a deleted trace's orphan counter row lie unread. Thread-safe.
 */
final class IdBlocks {
    private static final Logger log = LoggerFactory.getLogger(IdBlocks.class);
    /** How many trace ids one claim of {@code id_blocks} reserves. */
    static final int ID_BLOCK = 1000;

    private final Driver driver;
    private final LightweightTransactions transactions;
    private final Cql cql;
    private final Object lock = new Object();
    private long next; // guarded by lock
    private long end; // guarded by lock; exclusive

    IdBlocks(Driver driver, LightweightTransactions transactions, Cql cql) {
        this.driver = driver;
        this.transactions = transactions;
        this.cql = cql;
    }

    /** The next trace id, from this storage's block; claims a new block when it is used up. */
    long next(String operation) {
        synchronized (lock) {
            if (next == end) {
                next = claim(operation);
                end = next + ID_BLOCK;
            }
            return next++;
        }
    }

    /** Claims the next block and returns its first id. */
    private long claim(String operation) {
        Row current = driver.run(operation, driver.read(cql.readIdBlock)
                .setConsistencyLevel(DefaultConsistencyLevel.SERIAL)).one();
        long first = transactions.decide(operation, "claiming a block of trace ids failed after "
                + LightweightTransactions.ATTEMPTS + " attempts under contention",
                new Claim(current == null ? null : current.getLong(0)).attempt());
        log.debug("Claimed trace ids {} to {}", first, first + ID_BLOCK - 1);
        return first;
    }

    /**
     * One claim of a block: create the row, or advance it from where it was last seen. An answer
     * "not applied" carries where the blocks stand now; an unknown outcome is forgotten (its block
     * skipped) after a serial read of where they stand.
     */
    private final class Claim {
        private Long next; // the first id of the block to claim; null while the row is absent

        Claim(Long next) {
            this.next = next;
        }

        Attempt<Long> attempt() {
            return new Attempt<>(this::transaction, this::decided, this::settlingRead, this::settled);
        }

        private Statement<?> transaction() {
            Statement<?> claim = next == null ? driver.lwtStatement(cql.createIdBlock, 1L + ID_BLOCK)
                    : driver.lwtStatement(cql.advanceIdBlock, next + ID_BLOCK, next);
            // Never re-run by the driver: an unknown outcome comes back here, and its block is skipped.
            return claim.setSerialConsistencyLevel(DefaultConsistencyLevel.SERIAL).setIdempotent(false);
        }

        private Long decided(Row result) {
            if (result.getBoolean("[applied]")) {
                return next == null ? 1L : next;
            }
            next = result.isNull("next_id") ? null : result.getLong("next_id");
            return null;
        }

        private Statement<?> settlingRead() {
            return driver.read(cql.readIdBlock).setConsistencyLevel(DefaultConsistencyLevel.SERIAL);
        }

        private Long settled(Row now) {
            next = now == null ? null : now.getLong("next_id");
            return null; // claim again from there
        }
    }
}
