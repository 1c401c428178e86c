package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Statement;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Wraps a {@link CqlSession} so that tests see and disturb every statement the storage runs
 * through {@code execute(Statement)} and {@code executeAsync(Statement)}: a hook runs before the
 * statement is sent and again after its result arrived, and may throw in either place.
 * Everything else (preparing, metadata) goes straight to the session.
 */
final class InterceptingSession {
    /** Runs before a statement is sent ({@code executed} false) and after its result arrived (true). */
    @FunctionalInterface
    interface Hook {
        void reach(Statement<?> statement, boolean executed);
    }

    private final Hook hook;

    private InterceptingSession(Hook hook) {
        this.hook = hook;
    }

    /** A session over {@code target} that runs {@code hook} around every statement. */
    static CqlSession over(CqlSession target, Hook hook) {
        return new InterceptingSession(hook).wrap(target);
    }

    /** A session over {@code target} that records every statement into {@code into}, in order. */
    static CqlSession recording(CqlSession target, List<Statement<?>> into) {
        return over(target, (statement, executed) -> {
            if (!executed) {
                synchronized (into) {
                    into.add(statement);
                }
            }
        });
    }

    private CqlSession wrap(CqlSession target) {
        InvocationHandler handler = (proxy, method, args) -> {
            boolean oneStatement = args != null && args.length == 1 && args[0] instanceof Statement;
            try {
                if (oneStatement && method.getName().equals("execute")) {
                    Statement<?> statement = (Statement<?>) args[0];
                    reach(statement, false);
                    Object result = method.invoke(target, args);
                    reach(statement, true);
                    return result;
                }
                if (oneStatement && method.getName().equals("executeAsync")) {
                    Statement<?> statement = (Statement<?>) args[0];
                    try {
                        reach(statement, false);
                    } catch (RuntimeException e) {
                        return CompletableFuture.failedFuture(e);
                    }
                    CompletionStage<?> result = (CompletionStage<?>) method.invoke(target, args);
                    return result.thenApply(rs -> {
                        reach(statement, true);
                        return rs;
                    });
                }
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (CqlSession) Proxy.newProxyInstance(InterceptingSession.class.getClassLoader(),
                new Class<?>[] {CqlSession.class}, handler);
    }

    private void reach(Statement<?> statement, boolean executed) {
        hook.reach(statement, executed);
    }
}
