package io.g3k.dataplane.escape;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;

/**
 * Marks a channel an escaper returns when it leads through a next proxy (a tunnel or forwarding): what this side
 * knows of the connection (its peer and local address) is then about the proxy, not the target.
 */
public final class NextProxy {
    private static final AttributeKey<Boolean> KEY = AttributeKey.valueOf("g3k.nextProxy");

    private NextProxy() {}

    public static void markOn(Channel channel) {
        channel.attr(KEY).set(Boolean.TRUE);
    }

    public static boolean leadsThrough(Channel channel) {
        return channel.hasAttr(KEY);
    }
}
