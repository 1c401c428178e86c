package dev.tracestore.testkit;

/** The failure a {@link FaultInjector} throws. */
public final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault() {
        super("fault injected by the contract kit");
    }
}
