package io.g3k.dataplane.server.http;

import java.time.Duration;

/** The HTTP/1 front's timeouts and limits, and what it does to forwarding headers, taken from the server's config. */
public record HttpFrontSettings(String server, Duration reqHeaderRecvTimeout, Duration idleTimeout, int pipelineSize,
                                Duration rspHeaderRecvTimeout, int rspHeaderMaxSize, ForwardedHeaders forwarded) {}
