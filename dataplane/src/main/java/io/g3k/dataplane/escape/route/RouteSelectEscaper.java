package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteSelectEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.util.Picker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;

/** {@code route_select} / {@code route_mapping}: one of the next escapers per task, by the pick policy. */
public final class RouteSelectEscaper implements Escaper {
    private final RouteSelectEscaperConfig config;
    private final Function<String, Escaper> escapers;
    private final Picker<String> picker;

    public RouteSelectEscaper(RouteSelectEscaperConfig config, Function<String, Escaper> escapers) {
        this.config = config;
        this.escapers = escapers;
        this.picker = new Picker<>(config.nextNodes().stream().map(RouteSelectEscaperConfig.Node::name).toList(),
                config.nextNodes().stream().map(RouteSelectEscaperConfig.Node::weight).toList(), config.pickPolicy());
    }

    @Override
    public String name() {
        return config.name();
    }

    private Escaper next(EscapeHints hints) {
        return escapers.apply(picker.pick(hints.client().orElse(InetAddress.getLoopbackAddress())));
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return next(hints).tcpConnect(target, loop, hints);
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return next(EscapeHints.NONE).udpResolve(target, loop);
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return next(EscapeHints.NONE).udpBind(loop, handler);
    }
}
