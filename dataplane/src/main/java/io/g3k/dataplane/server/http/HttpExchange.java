package io.g3k.dataplane.server.http;

import io.netty.handler.codec.http.HttpContent;

/** One request/response exchange (or CONNECT tunnel set-up) driven by {@link HttpFrontHandler}. */
interface HttpExchange {
    void start();

    /** A piece of the request body; the exchange owns (and must release) it. */
    void content(HttpContent content);

    void clientClosed();

    default void clientWritabilityChanged(boolean writable) {}
}
