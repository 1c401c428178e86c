package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DriverException;
import com.datastax.oss.driver.api.core.DriverTimeoutException;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.cql.Statement;
import com.datastax.oss.driver.api.core.servererrors.CASWriteUnknownException;
import com.datastax.oss.driver.api.core.servererrors.ReadTimeoutException;
import com.datastax.oss.driver.api.core.servererrors.WriteTimeoutException;
import dev.tracestore.StorageException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lightweight transactions run until their outcome is known: the one "try, settle, give up
 * after {@value #ATTEMPTS}" loop of the storage, for claiming and freeing a trace's key,
 * claiming a deletion's report and claiming a block of trace ids.
 *
 * <p>A transaction that times out ({@code WriteTimeoutException}, {@code CASWriteUnknownException},
 * a read timeout, or the driver's own timeout) may or may not have been applied, and may still
 * be, by the next Paxos round that meets it. Its caller says how to settle it: by a serial read,
 * which completes a transaction left in flight and shows what it decided, or by simply trying
 * again, which is enough where a second try of an applied transaction answers "not applied"
 * with values that decide it. Any other driver failure ends the loop at once, as a
 * {@link StorageException} naming the operation. Thread-safe.
 */
final class LightweightTransactions {
    private static final Logger log = LoggerFactory.getLogger(LightweightTransactions.class);
    /** How often a lightweight transaction whose outcome is unknown is settled and tried again. */
    static final int ATTEMPTS = 20;

    /**
     * One lightweight transaction, as the loop tries it: what to run, and what its answers decide.
     *
     * @param transaction  supplies the transaction to try now; it may differ from the last try,
     *                     after what that one's answer said
     * @param decided      what the transaction's result row decides, or null to try again
     * @param settlingRead supplies a serial read that settles a transaction whose outcome is
     *                     unknown, or null to try again at once
     * @param settled      what the settling read decides from its row (null: no row, or it timed
     *                     out too), or null to try again
     * @param <T>          what it decides
     */
    record Attempt<T>(Supplier<Statement<?>> transaction, Function<Row, T> decided,
            Supplier<Statement<?>> settlingRead, Function<Row, T> settled) {

        /** An attempt that tries {@code transaction} again whenever its outcome is unknown. */
        static <T> Attempt<T> retried(Supplier<Statement<?>> transaction, Function<Row, T> decided) {
            return new Attempt<>(transaction, decided, () -> null, read -> null);
        }
    }

    private final CqlSession session;

    LightweightTransactions(CqlSession session) {
        this.session = session;
    }

    /**
     * Tries {@code attempt} until one of its answers decides, at most {@value #ATTEMPTS} times.
     *
     * @param giveUp what the failure says after the operation when no attempt decided
     * @throws StorageException naming the operation and {@code giveUp} after the last attempt, or
     *                          at once on a driver failure other than a timeout
     */
    <T> T decide(String operation, String giveUp, Attempt<T> attempt) {
        for (int i = 1; i <= ATTEMPTS; i++) {
            Row result = once(operation, attempt.transaction().get());
            if (result != null) {
                T outcome = attempt.decided().apply(result);
                if (outcome != null) {
                    return outcome;
                }
                continue;
            }
            Statement<?> read = attempt.settlingRead().get();
            if (read != null) {
                T outcome = attempt.settled().apply(once(operation, read));
                if (outcome != null) {
                    return outcome;
                }
            }
        }
        throw new StorageException("Cassandra storage: " + operation + ": " + giveUp, null);
    }

    /**
     * Runs a lightweight transaction, or a serial read; its result row, or null if it has none
     * or its outcome is unknown (it timed out, and may or may not have been applied).
     */
    Row once(String operation, Statement<?> statement) {
        try {
            return session.execute(statement).one();
        } catch (WriteTimeoutException | CASWriteUnknownException | ReadTimeoutException | DriverTimeoutException e) {
            log.debug("{}: a lightweight transaction's outcome is unknown ({}); settling it", operation, e.toString());
            return null;
        } catch (DriverException e) {
            throw Driver.failure(operation, e);
        }
    }
}
