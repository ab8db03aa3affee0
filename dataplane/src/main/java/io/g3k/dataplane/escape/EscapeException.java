package io.g3k.dataplane.escape;

/** Why a task could not leave the proxy. Each server maps the reason to its own protocol's error reply. */
public final class EscapeException extends RuntimeException {
    public enum Reason {
        /** The escaper refuses all tasks (dummy_deny or a dangling reference). */
        DENIED,
        /** The target address is blocked by the egress network filter. */
        FORBIDDEN_ADDRESS,
        /** The name could not be resolved, or has no usable address. */
        RESOLVE_FAILED,
        CONNECT_REFUSED,
        CONNECT_TIMEOUT,
        UNREACHABLE,
        TLS_FAILED
    }

    private final Reason reason;

    public EscapeException(Reason reason, String message) {
        super(message, null, false, false);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    /** The escape failure behind any throwable (wrapped futures included); unknown errors count as unreachable. */
    public static EscapeException of(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof EscapeException e) {
                return e;
            }
        }
        return new EscapeException(Reason.UNREACHABLE, String.valueOf(error.getMessage()));
    }
}
