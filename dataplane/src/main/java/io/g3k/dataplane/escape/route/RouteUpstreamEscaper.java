package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteUpstreamEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.function.Function;

/** {@code route_upstream}: the next escaper is chosen by the target host (see the config's match order). */
public final class RouteUpstreamEscaper implements Escaper {
    private final RouteUpstreamEscaperConfig config;
    private final Function<String, Escaper> escapers;

    public RouteUpstreamEscaper(RouteUpstreamEscaperConfig config, Function<String, Escaper> escapers) {
        this.config = config;
        this.escapers = escapers;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return escapers.apply(config.route(target)).tcpConnect(target, loop, hints);
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return escapers.apply(config.route(target)).udpResolve(target, loop);
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return escapers.apply(config.defaultNext()).udpBind(loop, handler);
    }
}
