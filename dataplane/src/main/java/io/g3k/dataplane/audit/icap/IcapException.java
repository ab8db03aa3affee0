package io.g3k.dataplane.audit.icap;

/** The ICAP service could not be used: unreachable, too slow, or an answer that makes no sense. */
public final class IcapException extends RuntimeException {
    public IcapException(String message) {
        super(message, null, false, false);
    }
}
