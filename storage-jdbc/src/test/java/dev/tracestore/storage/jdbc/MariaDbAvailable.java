package dev.tracestore.storage.jdbc;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Skips MariaDB tests, with one line saying how to enable them, when no MariaDB server is
 * reachable and {@code CI} is not {@code true}. Under {@code CI=true} they always run, and
 * fail if the server is down.
 */
final class MariaDbAvailable implements ExecutionCondition {

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (Setup.CI) {
            return ConditionEvaluationResult.enabled("CI=true: MariaDB tests are mandatory");
        }
        return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(MariaDbAvailable.class, k -> evaluate(), ConditionEvaluationResult.class);
    }

    private static ConditionEvaluationResult evaluate() {
        if (Setup.mariaDbReachable()) {
            return ConditionEvaluationResult.enabled("MariaDB reachable at " + Setup.mariaDbUrl());
        }
        return ConditionEvaluationResult.disabled("MariaDB tests skipped: no server at " + Setup.mariaDbUrl()
                + "; start MariaDB (user root, empty password, database test) or set TRACESTORE_MARIADB_URL"
                + " (and _USER, _PASSWORD) to run them; CI=true makes them mandatory");
    }
}
