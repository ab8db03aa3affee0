package io.g3k.dataplane.resolve;

/** A name could not be resolved: the resolver denied it, timed out, or the server failed. */
public final class ResolveException extends RuntimeException {
    public ResolveException(String message) {
        super(message, null, false, false);
    }
}
