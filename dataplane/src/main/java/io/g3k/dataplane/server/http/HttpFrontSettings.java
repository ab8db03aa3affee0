package io.g3k.dataplane.server.http;

import io.g3k.config.HttpKeepAlive;
import io.g3k.config.server.HttpCustomHeaders;
import java.time.Duration;

/**
 * The HTTP/1 front's timeouts and limits, what it does to forwarding headers, and how long it keeps an upstream
 * connection for the next request, how much of a request's URI its task log shows, and g3proxy's X-BD-* response
 * headers, taken from the server's config; {@code upstreamPool}: where idle upstream connections wait for other
 * clients (a reverse proxy's), or null where each client connection keeps its own.
 */
public record HttpFrontSettings(String server, Duration reqHeaderRecvTimeout, Duration idleTimeout, int pipelineSize,
                                Duration rspHeaderRecvTimeout, int rspHeaderMaxSize, UpstreamHeaders upstreamHeaders,
                                HttpKeepAlive upstreamKeepalive, int logUriMaxChars, HttpCustomHeaders customHeaders,
                                int bodyLineMaxLength, UpstreamPool upstreamPool) {}
