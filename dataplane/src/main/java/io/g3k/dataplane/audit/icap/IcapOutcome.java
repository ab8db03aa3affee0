package io.g3k.dataplane.audit.icap;

import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;

/** What an ICAP service made of an HTTP message: leave it, replace the request, or answer with this response. */
public sealed interface IcapOutcome {
    record Unmodified() implements IcapOutcome {}

    /** REQMOD only: the request to send on instead (the caller owns and releases it). */
    record ModifiedRequest(FullHttpRequest request) implements IcapOutcome {}

    /** The response for the client: a REQMOD block page, or a RESPMOD's adapted response (caller releases). */
    record Respond(FullHttpResponse response) implements IcapOutcome {}
}
