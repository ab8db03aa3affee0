package io.g3k.dataplane.server.http;

import io.netty.handler.codec.http.HttpResponseStatus;

/** A request the proxy refuses, with the status to answer. The connection is closed after the answer. */
public final class HttpRejection extends RuntimeException {
    public final HttpResponseStatus status;

    public HttpRejection(HttpResponseStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }
}
