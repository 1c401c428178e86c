package dev.tracestore.storage.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tracestore.MessageInput;
import dev.tracestore.Role;
import dev.tracestore.TraceInput;
import dev.tracestore.TraceStore;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * What a batch costs on the wire with PostgreSQL, counted below the driver: the storage talks
 * to the server through a {@link SyncCountingProxy} on one connection, so every round trip the
 * driver waits for is one Sync message. Assumes the server's default isolation level is READ
 * COMMITTED, PostgreSQL's default: at another level the storage switches it around every write,
 * which PgJDBC does in round trips of its own.
 */
class PostgresRoundTripTest {
    private static final Pattern URL = Pattern.compile("jdbc:postgresql://([^/:?]+)(?::(\\d+))?/([^?]*)(?:\\?(.*))?");

    @Test
    void batch_onPostgres_costsTwoRoundTrips_theIncrementWithTheFirstUpsertThenTheCommit() throws Exception {
        try (TestDatabase db = Setup.POSTGRESQL.open()) {
            Matcher url = URL.matcher(db.pool.getJdbcUrl());
            assertThat(url.matches()).as("a PostgreSQL URL: %s", db.pool.getJdbcUrl()).isTrue();
            try (SyncCountingProxy proxy = new SyncCountingProxy(url.group(1),
                    url.group(2) == null ? 5432 : Integer.parseInt(url.group(2)));
                    Connection physical = connect(db, proxy, url.group(3), url.group(4))) {
                TraceStore store = TraceStore.builder()
                        .storage(JdbcTraceStorage.builder(oneConnection(physical)).tablePrefix(db.prefix).build())
                        .build();
                long id = store.upsertTrace(TraceInput.of("round-trips", "s-" + System.nanoTime())).id();
                // Past PgJDBC's prepareThreshold (5), so the statements run as named server-side ones.
                for (int round = 0; round < 10; round++) {
                    store.upsertMessagesBatch(id, batch("warm-" + round));
                }

                List<Long> perBatch = new ArrayList<>();
                for (int round = 0; round < 20; round++) {
                    long before = proxy.syncs();
                    store.upsertMessagesBatch(id, batch("r" + round));
                    perBatch.add(proxy.syncs() - before);
                }

                assertThat(perBatch).as("round trips of each batch").containsOnly(2L);
                assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(30 * 100);

                // An append: the cursor's compare-and-set rides in the same increment, no round trip more.
                List<Long> perAppend = new ArrayList<>();
                for (int round = 0; round < 20; round++) {
                    long before = proxy.syncs();
                    store.appendMessages(id, batch("c" + round), round == 0 ? null : "line " + round, "line " + (round + 1));
                    perAppend.add(proxy.syncs() - before);
                }
                assertThat(perAppend).as("round trips of each append with a cursor").containsOnly(2L);
                assertThat(store.getTrace(id).orElseThrow().messageCount()).isEqualTo(50 * 100);
            }
        }
    }

    private static List<MessageInput> batch(String prefix) {
        List<MessageInput> batch = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            batch.add(MessageInput.of(prefix + "-" + i, i, Role.USER, "message " + i));
        }
        return batch;
    }

    /** Connects through the proxy with the test URL's own parameters, but never encrypted (the proxy reads plain messages). */
    private static Connection connect(TestDatabase db, SyncCountingProxy proxy, String database, String query)
            throws SQLException {
        StringBuilder kept = new StringBuilder();
        for (String parameter : query == null ? new String[0] : query.split("&")) {
            if (!parameter.isEmpty() && !parameter.startsWith("sslmode=") && !parameter.startsWith("gssEncMode=")
                    && !parameter.startsWith("ssl=")) {
                kept.append(kept.length() == 0 ? "?" : "&").append(parameter);
            }
        }
        Properties props = new Properties();
        props.setProperty("loginTimeout", "10");
        props.setProperty("socketTimeout", "60");
        props.setProperty("user", db.pool.getUsername());
        props.setProperty("password", db.pool.getPassword() == null ? "" : db.pool.getPassword());
        props.setProperty("sslmode", "disable");
        props.setProperty("gssEncMode", "disable");
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database + kept, props);
    }

    /** Hands out {@code physical} for every borrow, ignoring close: no pool housekeeping on the wire. */
    private static DataSource oneConnection(Connection physical) {
        Connection borrowed = (Connection) Proxy.newProxyInstance(PostgresRoundTripTest.class.getClassLoader(),
                new Class<?>[] {Connection.class}, (p, method, args) -> {
                    if (method.getName().equals("close")) {
                        return null;
                    }
                    try {
                        return method.invoke(physical, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        return (DataSource) Proxy.newProxyInstance(PostgresRoundTripTest.class.getClassLoader(),
                new Class<?>[] {DataSource.class}, (p, method, args) -> {
                    return switch (method.getName()) {
                        case "getConnection" -> borrowed;
                        case "toString" -> "one connection through the Sync-counting proxy";
                        case "hashCode" -> System.identityHashCode(p);
                        case "equals" -> p == args[0];
                        default -> throw new UnsupportedOperationException(method.getName());
                    };
                });
    }
}
