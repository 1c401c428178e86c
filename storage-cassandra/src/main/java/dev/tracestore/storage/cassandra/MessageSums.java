package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.TupleValue;
import dev.tracestore.TraceTotals;
import java.util.HashMap;
import java.util.Map;

/**
 * A trace's count and totals computed from its rows, without a lock: the count is its message
 * keys that name a current row, the totals sum the usage and tool calls of its current message rows (a row a re-send
 * left at an old sequence, which reads skip, is skipped here too) and take their latest
 * instant. A row from schema version 1 has no usage and no tool calls. Holds one key and
 * sequence per message in memory while it sums. Thread-safe.
 */
final class MessageSums {
    /** Rows per page when reading keys and the few columns summed. */
    private static final int PAGE = 5000;

    /** What the rows held. */
    record Sums(Counters counters, Long lastMessageAt) {
        TraceTotals totals() {
            return counters.totals(lastMessageAt == null ? null : Micros.toInstant(lastMessageAt));
        }
    }

    private final Driver driver;
    private final Cql cql;

    MessageSums(Driver driver, Cql cql) {
        this.driver = driver;
        this.cql = cql;
    }

    /** The count, sums and latest instant (epoch microseconds; null without messages) of the trace's rows. */
    Sums of(String operation, long traceId) {
        Map<String, Long> current = new HashMap<>();
        driver.each(operation, driver.read(cql.messageKeys, traceId).setPageSize(PAGE),
                r -> current.put(r.getString(0), r.getLong(1)));
        long[] sums = new long[5];
        long[] matched = {0};
        long[] last = {Long.MIN_VALUE};
        driver.each(operation, driver.read(cql.messageSums, traceId).setPageSize(PAGE), r -> {
            Long seq = current.get(r.getString("external_id"));
            if (seq == null || seq != r.getLong("seq")) {
                return; // stale (moved by a re-send) or without a key (a deletion in progress)
            }
            matched[0]++;
            last[0] = Math.max(last[0], r.getLong("created_at"));
            sums[0] += r.isNull("tool_calls") ? 0 : r.getInt("tool_calls");
            TupleValue usage = r.getTupleValue("usage");
            for (int i = 0; usage != null && i < 4; i++) {
                sums[1 + i] += usage.isNull(i) ? 0 : usage.getLong(i);
            }
        });
        // A message is a key and the row it names: a key whose row a truncation removed while a
        // batch wrote the key is none, as reads of the messages skip it too.
        return new Sums(new Counters(matched[0], sums[0], sums[1], sums[2], sums[3], sums[4]),
                current.isEmpty() || last[0] == Long.MIN_VALUE ? null : last[0]);
    }
}
