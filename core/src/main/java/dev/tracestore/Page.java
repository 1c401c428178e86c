package dev.tracestore;

import dev.tracestore.internal.Checks;
import java.util.List;
import java.util.Optional;

/**
 * One page of a keyset-paginated listing.
 *
 * @param items      the page's items, in listing order; an immutable copy
 * @param nextCursor the opaque cursor for the next page, or null on the last page
 * @param <T>        the item type
 */
public record Page<T>(List<T> items, String nextCursor) {

    public Page {
        items = List.copyOf(Checks.notNull("items", items));
    }

    /** The cursor for the next page, empty on the last page. */
    public Optional<String> next() {
        return Optional.ofNullable(nextCursor);
    }

    /** Whether another page follows. */
    public boolean hasMore() {
        return nextCursor != null;
    }
}
