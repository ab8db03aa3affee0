package io.g3k.dataplane.server.socksproxy;

import io.g3k.config.PortRange;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Binds a UDP socket to a free port of {@code udp_bind_port_range}, or to any port without one. Ports are tried in
 * turn from a random one on, so sessions spread over the range, at most {@link #MAX_TRIES} of them before giving up.
 */
final class UdpPortRangeBind {
    static final int MAX_TRIES = 64;

    private UdpPortRangeBind() {}

    static Future<Channel> bind(Bootstrap b, InetAddress ip, Optional<PortRange> range, EventLoop loop) {
        Promise<Channel> bound = loop.newPromise();
        if (range.isEmpty()) {
            b.bind(ip, 0).addListener((ChannelFuture f) -> complete(f, bound));
        } else {
            PortRange r = range.get();
            attempt(b, ip, r, ThreadLocalRandom.current().nextInt(r.size()), 0, Math.min(r.size(), MAX_TRIES), bound);
        }
        return bound;
    }

    private static void attempt(Bootstrap b, InetAddress ip, PortRange r, int first, int i, int tries,
                                Promise<Channel> bound) {
        int port = r.start() + (first + i) % r.size();
        b.bind(ip, port).addListener((ChannelFuture f) -> {
            if (f.isSuccess() || i + 1 == tries) {
                complete(f, bound);
            } else {
                f.channel().close(); // a channel whose bind failed still holds its socket
                attempt(b, ip, r, first, i + 1, tries, bound);
            }
        });
    }

    private static void complete(ChannelFuture f, Promise<Channel> bound) {
        if (f.isSuccess()) {
            bound.setSuccess(f.channel());
        } else {
            f.channel().close();
            bound.setFailure(f.cause());
        }
    }
}
