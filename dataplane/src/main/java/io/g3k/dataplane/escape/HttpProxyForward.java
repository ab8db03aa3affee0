package io.g3k.dataplane.escape;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.util.Optional;

/**
 * Set on a channel an escaper returns when it leads to a next HTTP proxy that takes the forwarded request as it
 * is (absolute form, with this Proxy-Authorization) instead of a tunnel to the target: the caller then sends the
 * request unchanged in scheme and does no TLS of its own.
 */
public record HttpProxyForward(Optional<String> proxyAuthorization) {
    private static final AttributeKey<HttpProxyForward> KEY = AttributeKey.valueOf("g3k.httpProxyForward");

    public void markOn(Channel channel) {
        channel.attr(KEY).set(this);
    }

    public static Optional<HttpProxyForward> of(Channel channel) {
        return Optional.ofNullable(channel.attr(KEY).get());
    }
}
