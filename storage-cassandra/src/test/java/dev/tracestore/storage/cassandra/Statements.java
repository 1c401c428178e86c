package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.cql.BatchStatement;
import com.datastax.oss.driver.api.core.cql.BatchableStatement;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.util.ArrayList;
import java.util.List;

/** What tests read off the statements a storage runs. */
final class Statements {
    private Statements() {
    }

    /** The CQL of a statement; of a batch, its statements' CQL joined by newlines. */
    static String cql(Statement<?> statement) {
        if (statement instanceof BatchStatement batch) {
            List<String> parts = new ArrayList<>();
            for (BatchableStatement<?> child : batch) {
                parts.add(cql(child));
            }
            return String.join("\n", parts);
        }
        if (statement instanceof BoundStatement bound) {
            return bound.getPreparedStatement().getQuery();
        }
        if (statement instanceof SimpleStatement simple) {
            return simple.getQuery();
        }
        throw new IllegalArgumentException("unexpected statement type " + statement.getClass());
    }

    /** Whether the statement (or one in the batch) runs CQL containing {@code fragment}. */
    static boolean runs(Statement<?> statement, String fragment) {
        return cql(statement).contains(fragment);
    }
}
