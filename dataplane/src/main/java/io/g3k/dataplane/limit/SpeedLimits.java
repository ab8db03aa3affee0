package io.g3k.dataplane.limit;

import io.g3k.config.GlobalSpeedLimit;
import io.g3k.config.SocketSpeedLimit;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.handler.traffic.ChannelTrafficShapingHandler;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Handlers that enforce a {@link SocketSpeedLimit} on one socket. North is upload (client to target), south is
 * download: on a client-facing socket north is what it reads, on a target-facing socket what it writes.
 */
public final class SpeedLimits {
    private static final long CHECK_INTERVAL_MILLIS = 100;

    /** Which way the socket faces, to map north/south onto read/write. */
    public enum Side { CLIENT, REMOTE }

    private SpeedLimits() {}

    /**
     * TCP: reads paced by a {@link ReadPacer} (a budget a slice, as g3proxy), writes delayed by Netty's traffic shaper
     * at the limit's bytes per second (added under {@code name}).
     */
    public static void addTcp(Channel ch, String name, SocketSpeedLimit limit, Side side) {
        long read = side == Side.CLIENT ? limit.northBytes() : limit.southBytes();
        long write = side == Side.CLIENT ? limit.southBytes() : limit.northBytes();
        if (read > 0) {
            ReadPacer.add(ch, new ReadBudget(read, limit.slice(), read));
        }
        if (write > 0) {
            addWriteShaper(ch, name, new ChannelTrafficShapingHandler(limit.perSecond(write), 0, CHECK_INTERVAL_MILLIS));
        }
    }

    /** A Netty shaper for writes, behind the channel's read pacer if it has one. */
    static void addWriteShaper(Channel ch, String name, ChannelHandler shaper) {
        if (ch.pipeline().get(ReadPacer.NAME) != null) {
            ch.pipeline().addAfter(ReadPacer.NAME, name, shaper);
        } else {
            ch.pipeline().addFirst(name, shaper);
        }
    }

    /** UDP: budgets per time slice, bytes and packets (see {@link UdpSpeedLimiter}). */
    public static ChannelHandler udp(SocketSpeedLimit limit, Side side) {
        var north = new UdpAllowance.Slices(limit.slice(), limit.northBytes(), limit.northPackets());
        var south = new UdpAllowance.Slices(limit.slice(), limit.southBytes(), limit.southPackets());
        return side == Side.CLIENT ? new UdpSpeedLimiter(north, south) : new UdpSpeedLimiter(south, north);
    }

    /**
     * A user's {@code udp_all_upload_speed_limit} / {@code udp_all_download_speed_limit}, for its sessions'
     * client-facing sockets: make one with {@link #udpShared} per user, then a handler per socket from it.
     */
    public static Supplier<ChannelHandler> udpShared(Optional<GlobalSpeedLimit> upload,
                                                     Optional<GlobalSpeedLimit> download) {
        UdpAllowance north = upload.<UdpAllowance>map(UdpAllowance.Shared::new).orElse(UdpAllowance.UNLIMITED);
        UdpAllowance south = download.<UdpAllowance>map(UdpAllowance.Shared::new).orElse(UdpAllowance.UNLIMITED);
        return () -> new UdpSpeedLimiter(north, south);
    }
}
