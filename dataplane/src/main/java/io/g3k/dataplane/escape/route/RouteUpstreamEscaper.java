package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteUpstreamEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.function.Function;

/** {@code route_upstream}: the next escaper is chosen by the target host (see the config's match order). */
public final class RouteUpstreamEscaper extends RouteEscaper {
    private final RouteUpstreamEscaperConfig config;

    public RouteUpstreamEscaper(RouteUpstreamEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats) {
        super(config.name(), escapers, stats);
        this.config = config;
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return passTo(config.route(target)).tcpConnect(target, loop, hints);
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return next(config.route(target)).udpResolve(target, loop);
    }

    @Override
    String udpNext() {
        return config.defaultNext();
    }
}
