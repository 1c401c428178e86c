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
        String skip = Setup.mariaDbSkipReason();
        return skip == null ? ConditionEvaluationResult.enabled("MariaDB reachable at " + Setup.mariaDbUrl())
                : ConditionEvaluationResult.disabled(skip);
    }
}
