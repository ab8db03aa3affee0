package io.g3k.dataplane.server;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Optional;

/**
 * The client's address for a connection: the socket peer, or the source a PROXY protocol header announced on a
 * port in front. Servers log and filter on this, never on the raw peer, so a chained port is transparent.
 */
public final class ClientAddress {
    private static final AttributeKey<InetSocketAddress> KEY = AttributeKey.valueOf("g3k.client");

    private ClientAddress() {}

    public static SocketAddress of(Channel ch) {
        InetSocketAddress announced = ch.attr(KEY).get();
        return announced != null ? announced : ch.remoteAddress();
    }

    /** The client's IP address, if it has one (a Unix socket peer has none). */
    public static Optional<InetAddress> ip(Channel ch) {
        return of(ch) instanceof InetSocketAddress inet ? Optional.ofNullable(inet.getAddress()) : Optional.empty();
    }

    public static void announce(Channel ch, InetSocketAddress client) {
        ch.attr(KEY).set(client);
    }
}
