package io.g3k.dataplane.limit;

import io.g3k.config.SocketSpeedLimit;
import io.netty.channel.ChannelHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;

/**
 * Handlers that enforce a {@link SocketSpeedLimit} on one socket. North is upload (client to target), south is
 * download: on a client-facing socket north is what it reads, on a target-facing socket what it writes.
 */
public final class SpeedLimits {
    private static final long CHECK_INTERVAL_MILLIS = 100;

    /** Which way the socket faces, to map north/south onto read/write. */
    public enum Side { CLIENT, REMOTE }

    private SpeedLimits() {}

    /** TCP: Netty's traffic shaper (reads paused, writes delayed) at the limit's bytes per second. */
    public static ChannelHandler tcp(SocketSpeedLimit limit, Side side) {
        long north = limit.perSecond(limit.northBytes());
        long south = limit.perSecond(limit.southBytes());
        return side == Side.CLIENT
                ? new ChannelTrafficShapingHandler(south, north, CHECK_INTERVAL_MILLIS)
                : new ChannelTrafficShapingHandler(north, south, CHECK_INTERVAL_MILLIS);
    }

    /** UDP: budgets per time slice, bytes and packets (see {@link UdpSpeedLimiter}). */
    public static ChannelHandler udp(SocketSpeedLimit limit, Side side) {
        var north = new UdpSpeedLimiter.Budget(limit.northBytes(), limit.northPackets());
        var south = new UdpSpeedLimiter.Budget(limit.southBytes(), limit.southPackets());
        return side == Side.CLIENT
                ? new UdpSpeedLimiter(limit.slice(), north, south)
                : new UdpSpeedLimiter(limit.slice(), south, north);
    }
}
