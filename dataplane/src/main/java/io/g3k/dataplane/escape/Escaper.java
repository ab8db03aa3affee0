package io.g3k.dataplane.escape;

import io.g3k.config.UpstreamAddr;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/**
 * An escaper: how a task reaches its target. Futures complete on the caller's event loop, so the caller's
 * handlers never need locks. A failed future carries an {@link EscapeException}.
 */
public interface Escaper extends AutoCloseable {
    String name();

    /**
     * A connected TCP channel to the target, with auto-read off and no handlers of the caller's yet. The hints
     * carry the client address and a resolve strategy for the escapers that use them.
     */
    Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints);

    default Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop) {
        return tcpConnect(target, loop, EscapeHints.NONE);
    }

    /**
     * Whether a forwarded request of this scheme may reach a next HTTP proxy as it is through this escaper (then
     * the channel says so with {@link HttpProxyForward}). A request that needs that, ftp://, fails early otherwise.
     */
    default boolean mayForwardAsIs(String scheme) {
        return false;
    }

    /**
     * Takes data published at run time ({@code g3k ctl escaper <name> publish <json>}): bind IPs of a direct_float,
     * peers of a proxy_float. Returns a short summary; throws IllegalArgumentException on bad data.
     */
    default String publish(String json) {
        throw new IllegalArgumentException("escaper '" + name() + "' does not take published data");
    }

    /** Stops the escaper's own background work (refresh timers, query sockets); tasks in flight go on. */
    @Override
    default void close() {}

    /** The socket address a UDP datagram for this target goes to, after resolution and the egress checks. */
    Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop);

    /** A UDP socket for one relay session, bound as this escaper binds, with the given handler on it. */
    Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler);
}
