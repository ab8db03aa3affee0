package io.g3k.dataplane.server.http;

import io.netty.handler.codec.http.HttpRequest;

/** A server type's request policy: checks, authentication and where the request goes. */
public interface HttpRouter {
    /** The route for a request head; throws {@link HttpRejection} to answer with an error and close. */
    HttpRoute route(HttpRequest request);
}
