package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.data.TupleValue;
import dev.tracestore.Message;
import dev.tracestore.Role;
import dev.tracestore.TokenUsage;
import dev.tracestore.spi.MessagePosition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Pages of a trace's messages, in conversation order, from {@code messages}, each row checked
 * against the message's current sequence in {@code message_keys}. A message re-sent with
 * another sequence gets a row at its new place and its key moves there, but nothing deletes its
 * old row when it is written: a page drops that row, and deletes it with a timestamp just older
 * than the re-send's, so that the delete can never remove a row written again since. A row
 * without a key belongs to a deletion in progress and is dropped. Thread-safe.
 */
final class MessagePages {
    /** Rows per page when reading messages, whose text can be large. */
    private static final int MESSAGE_PAGE = 100;
    /** The most keys one {@code IN} read of message keys carries. */
    private static final int IN_CHUNK = 100;

    private final Driver driver;
    private final Cql cql;

    MessagePages(Driver driver, Cql cql) {
        this.driver = driver;
        this.cql = cql;
    }

    /** Up to {@code limit} messages of the trace after {@code after} (from the first if null), in order. */
    List<Message> page(String operation, long traceId, MessagePosition after, int limit) {
        List<Message> page = new ArrayList<>(Math.min(limit, 1024));
        MessagePosition from = after;
        while (page.size() < limit) {
            int want = limit - page.size();
            BoundStatement select = from == null ? driver.read(cql.messagesFirst, traceId, want)
                    : driver.read(cql.messagesAfter, traceId, from.sequence(), from.externalId(), want);
            List<Row> rows = driver.all(operation, select.setPageSize(MESSAGE_PAGE));
            if (rows.isEmpty()) {
                break;
            }
            Map<String, long[]> current = currentSequences(operation, traceId, rows);
            for (Row r : rows) {
                String id = r.getString("external_id");
                long sequence = r.getLong("seq");
                long[] now = current.get(id);
                if (now == null) {
                    continue; // no key: a deletion in progress removed it
                }
                if (now[0] == sequence) {
                    page.add(message(r));
                } else {
                    driver.quietly(driver.write(cql.deleteStaleMessage, now[1] - 1, traceId, sequence, id));
                }
            }
            Row last = rows.get(rows.size() - 1);
            from = new MessagePosition(last.getLong("seq"), last.getString("external_id"));
            if (rows.size() < want) {
                break;
            }
        }
        return page;
    }

    /** The current sequence and its write timestamp of each message key in {@code rows}. */
    private Map<String, long[]> currentSequences(String operation, long traceId, List<Row> rows) {
        List<CompletableFuture<List<Row>>> reads = new ArrayList<>();
        for (int from = 0; from < rows.size(); from += IN_CHUNK) {
            List<String> ids = new ArrayList<>(IN_CHUNK);
            for (Row r : rows.subList(from, Math.min(rows.size(), from + IN_CHUNK))) {
                ids.add(r.getString("external_id"));
            }
            reads.add(driver.allAsync(operation, driver.read(cql.currentSequences, traceId, ids)).toCompletableFuture());
        }
        Map<String, long[]> current = new HashMap<>();
        for (CompletableFuture<List<Row>> read : reads) {
            for (Row r : driver.join(operation, read)) {
                current.put(r.getString(0), new long[] {r.getLong(1), r.getLong(2)});
            }
        }
        return current;
    }

    private static Message message(Row r) {
        TupleValue extras = r.getTupleValue("extras");
        return new Message(r.getString("external_id"), r.getLong("seq"), Role.valueOf(r.getString("role")),
                r.getString("body"), extras == null ? null : extras.getString(0),
                Micros.toInstant(r.getLong("created_at")), extras == null ? null : extras.getString(1), usage(r),
                r.isNull("tool_calls") ? 0 : r.getInt("tool_calls"));
    }

    /** A row's usage: null when none was reported (a tuple of four nulls) or the row is from schema version 1. */
    private static TokenUsage usage(Row r) {
        TupleValue usage = r.getTupleValue("usage");
        if (usage == null || usage.isNull(0)) {
            return null;
        }
        return new TokenUsage(usage.getLong(0), usage.getLong(1), usage.getLong(2), usage.getLong(3));
    }
}
