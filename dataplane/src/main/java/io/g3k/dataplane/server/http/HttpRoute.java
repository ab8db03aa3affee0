package io.g3k.dataplane.server.http;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.auth.User;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Optional;

/** What a server's {@link HttpRouter} decided for one request. */
public sealed interface HttpRoute {
    /** Open a tunnel (http_proxy CONNECT). */
    record Connect(UpstreamAddr target, Optional<User> user) implements HttpRoute {}

    /** Forward the request to a target and stream the response back; the task is logged under {@code taskType}. */
    record Forward(Target target, Optional<User> user, String taskType) implements HttpRoute {}

    /** Answer without forwarding (an authentication challenge), then close. */
    record Reply(FullHttpResponse response) implements HttpRoute {}

    /** Close without a word ({@code no_early_error_reply}: do not reveal what listens here). */
    record Drop() implements HttpRoute {}

    /**
     * Where a forwarded request goes: its scheme ({@code http}, {@code https}, {@code ftp}), the request target to
     * send, and TLS towards the target when set.
     */
    record Target(String scheme, UpstreamAddr addr, String originForm, Optional<SslContext> tls, String tlsName,
                  Duration tlsHandshakeTimeout) {
        /** The request target in absolute form, for a next proxy that takes the request as it is. */
        String absoluteForm() {
            return scheme + "://" + addr + originForm;
        }
    }
}
