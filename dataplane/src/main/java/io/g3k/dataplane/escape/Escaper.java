package io.g3k.dataplane.escape;

import io.g3k.config.ResolveStrategy;
import io.g3k.config.UpstreamAddr;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * An escaper: how a task reaches its target. Futures complete on the caller's event loop, so the caller's
 * handlers never need locks. A failed future carries an {@link EscapeException}.
 */
public interface Escaper {
    String name();

    /** A connected TCP channel to the target, with auto-read off and no handlers of the caller's yet. */
    Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop);

    /**
     * As {@link #tcpConnect(UpstreamAddr, EventLoop)}, resolving with a user's or explicit site's strategy where the
     * escaper resolves at all.
     */
    default Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, Optional<ResolveStrategy> strategy) {
        return tcpConnect(target, loop);
    }

    /** The socket address a UDP datagram for this target goes to, after resolution and the egress checks. */
    Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop);

    /** A UDP socket for one relay session, bound as this escaper binds, with the given handler on it. */
    Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler);
}
