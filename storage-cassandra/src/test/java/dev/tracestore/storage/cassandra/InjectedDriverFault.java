package dev.tracestore.storage.cassandra;

import com.datastax.oss.driver.api.core.DriverException;

/**
 * What {@link InterceptingSession} throws for a fault it injects: a driver exception, as a real
 * failure would be, with the injected cause kept. Thrown before a statement runs, it stands for
 * a request that failed; thrown after, for a request that timed out although its write landed.
 */
final class InjectedDriverFault extends DriverException {
    private static final long serialVersionUID = 1L;

    InjectedDriverFault(boolean afterExecution, Throwable cause) {
        super(afterExecution ? "injected: the statement ran, then the request timed out"
                : "injected: the request failed before the statement ran", null, cause, true);
    }

    @Override
    public DriverException copy() {
        return new InjectedDriverFault(getMessage().contains("timed out"), getCause());
    }
}
