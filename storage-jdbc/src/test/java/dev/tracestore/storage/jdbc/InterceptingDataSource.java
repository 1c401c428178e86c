package dev.tracestore.storage.jdbc;

import dev.tracestore.testkit.InjectedFault;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;

/**
 * Wraps a {@link DataSource} so that tests see and disturb what the storage does: before each
 * statement execution and each commit it runs a checkpoint (the kit's
 * {@code FaultInjector::checkpoint}), turning an {@link InjectedFault} into an
 * {@link SQLException} caused by it, and it records the SQL of every statement executed.
 * Made with {@link #everyCall}, it runs the checkpoint before every JDBC call instead.
 */
final class InterceptingDataSource {
    private final List<String> executed = new ArrayList<>();
    /** The proxy of each driver connection a pool's connection was unwrapped to, by identity. */
    private final Map<Connection, Connection> unwrapped = new IdentityHashMap<>();
    private final Checkpoint checkpoint;
    private final boolean everyCall;

    /** Runs before each statement execution (given its SQL) and each commit (given "COMMIT"). */
    @FunctionalInterface
    interface Checkpoint {
        void reach(String sql) throws SQLException;
    }

    private InterceptingDataSource(Checkpoint checkpoint, boolean everyCall) {
        this.checkpoint = checkpoint;
        this.everyCall = everyCall;
    }

    /** An interceptor that runs {@code checkpoint} before each execution and commit. */
    static InterceptingDataSource over(Runnable checkpoint) {
        return new InterceptingDataSource(sql -> checkpoint.run(), false);
    }

    /** An interceptor whose checkpoint may fail a statement or commit with an {@link SQLException} of its own. */
    static InterceptingDataSource failing(Checkpoint checkpoint) {
        return new InterceptingDataSource(checkpoint, false);
    }

    /**
     * An interceptor that runs {@code checkpoint} before every JDBC call the storage makes:
     * {@code DataSource.getConnection} and every method of the connections, statements and
     * result sets handed out (except {@code Object}'s and {@code unwrap}/{@code isWrapperFor}),
     * given as {@code "Connection.commit"}, {@code "PreparedStatement.setString"}… A
     * {@code close} runs the checkpoint after closing, so a failing close still releases the
     * resource, as drivers and pools do.
     */
    static InterceptingDataSource everyCall(Checkpoint checkpoint) {
        return new InterceptingDataSource(checkpoint, true);
    }

    /** The SQL of every statement executed so far, in order (a JDBC batch counts once). */
    synchronized List<String> executed() {
        return List.copyOf(executed);
    }

    synchronized void clear() {
        executed.clear();
    }

    private synchronized void record(String sql) {
        executed.add(sql);
    }

    DataSource wrap(DataSource target) {
        return proxy(DataSource.class, target, (method, args) -> {
            if (everyCall && method.getName().equals("getConnection")) {
                checkpoint("DataSource.getConnection");
            }
            Object result = method.invoke(target, args);
            return method.getName().equals("getConnection") ? connection((Connection) result) : result;
        });
    }

    private Connection connection(Connection target) {
        return proxy(Connection.class, target, (method, args) -> {
            String name = method.getName();
            if (name.equals("unwrap") && args[0] == Connection.class) {
                // The driver's connection under the pool's proxy, seen and disturbed as the pool's
                // is: the storage keeps SQLite's statements on it. One proxy per connection, as
                // the storage keys what it keeps by the connection.
                Connection physical = (Connection) method.invoke(target, args);
                synchronized (unwrapped) {
                    return unwrapped.computeIfAbsent(physical, this::connection);
                }
            }
            if (everyCall) {
                return intercepted("Connection", target, method, args, result -> {
                    if (result instanceof Statement s) {
                        String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : null;
                        return statement(statementType(name), s, sql);
                    }
                    return result;
                });
            }
            if (name.equals("commit")) {
                checkpoint("COMMIT");
            }
            Object result = method.invoke(target, args);
            if (result instanceof Statement s) {
                String sql = args != null && args.length > 0 && args[0] instanceof String text ? text : null;
                return statement(statementType(name), s, sql);
            }
            return result;
        });
    }

    private static Class<?> statementType(String factory) {
        return factory.equals("prepareCall") ? java.sql.CallableStatement.class
                : factory.equals("prepareStatement") ? java.sql.PreparedStatement.class : Statement.class;
    }

    /**
     * Runs the checkpoint before a call (after it, for {@code close}), then the call; wraps what
     * it returns with {@code wrapResult}.
     */
    private Object intercepted(String type, Object target, Method method, Object[] args, Wrap wrapResult)
            throws Throwable {
        String name = method.getName();
        boolean plumbing = method.getDeclaringClass() == Object.class || name.equals("unwrap")
                || name.equals("isWrapperFor");
        if (plumbing) {
            return method.invoke(target, args);
        }
        if (name.equals("close")) {
            method.invoke(target, args);
            checkpoint(type + ".close");
            return null;
        }
        checkpoint(type + "." + name);
        return wrapResult.apply(method.invoke(target, args));
    }

    @FunctionalInterface
    private interface Wrap {
        Object apply(Object result);
    }

    private Object resultSet(ResultSet target) {
        return proxy(ResultSet.class, target, (method, args) -> intercepted("ResultSet", target, method, args, r -> r));
    }

    private Object statement(Class<?> type, Statement target, String preparedSql) {
        List<String> batched = new ArrayList<>(); // a plain Statement's addBatch(String) texts
        if (everyCall) {
            return proxy(type, target, (method, args) -> {
                String sql = executed(method, args, preparedSql, batched);
                if (sql != null) {
                    record(sql);
                }
                return intercepted(type.getSimpleName(), target, method, args,
                        r -> r instanceof ResultSet rs ? resultSet(rs) : r);
            });
        }
        return proxy(type, target, (method, args) -> {
            String sql = executed(method, args, preparedSql, batched);
            if (sql != null) {
                checkpoint(sql);
                record(sql);
            }
            return method.invoke(target, args);
        });
    }

    /**
     * The SQL a call executes, or null if it executes none: a prepared statement's text, the
     * text given to {@code execute…(String)}, or a plain statement's batch, its texts joined by
     * {@code ";\n"} as one entry.
     */
    private static String executed(Method method, Object[] args, String preparedSql, List<String> batched) {
        String name = method.getName();
        if (name.equals("addBatch") && args != null && args.length == 1 && args[0] instanceof String text) {
            batched.add(text);
            return null;
        }
        if (name.equals("clearBatch")) {
            batched.clear();
            return null;
        }
        if (!name.startsWith("execute")) {
            return null;
        }
        if (args != null && args.length > 0 && args[0] instanceof String text) {
            return text;
        }
        if (preparedSql != null) {
            return preparedSql;
        }
        String batch = String.join(";\n", batched);
        batched.clear();
        return batch;
    }

    private void checkpoint(String sql) throws SQLException {
        try {
            checkpoint.reach(sql);
        } catch (InjectedFault fault) {
            throw new SQLException("fault injected by the test", "58000", fault);
        }
    }

    @FunctionalInterface
    private interface Call {
        Object invoke(Method method, Object[] args) throws Throwable;
    }

    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<?> type, Object target, Call call) {
        InvocationHandler handler = (p, method, args) -> {
            try {
                return call.invoke(method, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (T) Proxy.newProxyInstance(InterceptingDataSource.class.getClassLoader(), new Class<?>[] {type}, handler);
    }
}
