package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.Row;
import dev.tracestore.TraceTotals;
import dev.tracestore.Visibility;
import dev.tracestore.spi.ShareToken;
import dev.tracestore.spi.StoredTrace;
import java.util.ArrayList;
import java.util.List;

/**
 * A trace as read from its partition of {@code traces} and its counter.
 *
 * @param offsets       what a recount stored to add to the counters (0 where never set)
 * @param totalsKnown   whether its totals are known: false for a trace created before schema
 *                      version 2, until a recount sets them
 * @param lastMessageAt the latest message instant (epoch microseconds), or null
 * @param ingestCursor  where the trace's source has been read up to, or null
 * @param shareToken    the token its share pages are addressed by, or null
 * @param positions     the instants (epoch microseconds) of its position rows, newest first; the
 *                      newest is its updatedAt, older ones are left by writes not yet cleaned up
 * @param counters      the counters' values, 0 where it has no row or column
 */
record TraceRow(
        long id,
        String namespace,
        String externalId,
        String title,
        String agentId,
        String model,
        Visibility visibility,
        String projectName,
        long createdAt,
        Counters offsets,
        boolean countUnknown,
        boolean totalsKnown,
        Long lastMessageAt,
        boolean deleting,
        String ingestCursor,
        ShareToken shareToken,
        List<Long> positions,
        Counters counters) {

    /**
     * The trace in {@code rows} (a read of its partition, newest position first), or null if
     * it has none. A partition without a namespace holds only fragments a late write left after
     * the trace was removed, and counts as absent.
     */
    static TraceRow of(long id, List<Row> rows, Counters counters) {
        if (rows.isEmpty() || rows.get(0).isNull("namespace")) {
            return null;
        }
        Row first = rows.get(0);
        List<Long> positions = new ArrayList<>(rows.size());
        for (Row r : rows) {
            if (!r.isNull("updated_at")) {
                positions.add(r.getLong("updated_at"));
            }
        }
        String visibility = first.getString("visibility");
        return new TraceRow(id, first.getString("namespace"), first.getString("external_id"), first.getString("title"),
                first.getString("agent_id"), first.getString("model"),
                visibility == null ? Visibility.PRIVATE : Visibility.valueOf(visibility), first.getString("project_name"),
                first.getLong("created_at"), Counters.of(first, first.getColumnDefinitions().firstIndexOf("count_offset")),
                first.getBoolean("count_unknown"), first.getBoolean("totals_known"),
                first.isNull("last_message_at") ? null : first.getLong("last_message_at"), first.getBoolean("deleting"),
                first.getString("ingest_cursor"), first.isNull("share_key") ? null
                        : new ShareToken(first.getString("share_key"), first.getString("share_secret")),
                List.copyOf(positions), counters);
    }

    /** Its updatedAt: the newest position (its creation instant if it has none, which writes never leave). */
    long updatedAt() {
        return positions.isEmpty() ? createdAt : positions.get(0);
    }

    /** The cached count (counter plus the offset a recount set), or null while it is unknown. */
    Long messageCount() {
        return countUnknown ? null : counters.messages() + offsets.messages();
    }

    /** The cached totals (counters plus offsets, and the latest message), or null while they are unknown. */
    TraceTotals totals() {
        return totalsKnown ? counters.plus(offsets).totals(lastMessageAt == null ? null : Micros.toInstant(lastMessageAt))
                : null;
    }

    /** Whether the backfill has something to fill: the count or the totals are unknown. */
    boolean somethingUnknown() {
        return countUnknown || !totalsKnown;
    }

    /** The positions older than {@code target}: rows a write moving the trace to {@code target} removes. */
    List<Long> positionsBefore(long target) {
        List<Long> older = new ArrayList<>();
        for (long p : positions) {
            if (p < target) {
                older.add(p);
            }
        }
        return older;
    }

    StoredTrace toStored() {
        return new StoredTrace(id, namespace, externalId, title, agentId, model, visibility, projectName,
                Micros.toInstant(createdAt), Micros.toInstant(updatedAt()), messageCount(), totals(), ingestCursor,
                shareToken);
    }
}
