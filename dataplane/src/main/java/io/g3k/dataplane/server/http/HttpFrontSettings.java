package io.g3k.dataplane.server.http;

import io.g3k.config.HttpKeepAlive;
import java.time.Duration;

/**
 * The HTTP/1 front's timeouts and limits, what it does to forwarding headers, and how long it keeps an upstream
 * connection for the next request, and how much of a request's URI its task log shows, taken from the server's config.
 */
public record HttpFrontSettings(String server, Duration reqHeaderRecvTimeout, Duration idleTimeout, int pipelineSize,
                                Duration rspHeaderRecvTimeout, int rspHeaderMaxSize, UpstreamHeaders upstreamHeaders,
                                HttpKeepAlive upstreamKeepalive, int logUriMaxChars) {}
