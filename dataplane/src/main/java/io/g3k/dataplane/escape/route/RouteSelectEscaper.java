package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteSelectEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.g3k.dataplane.util.Picker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.net.InetAddress;
import java.util.function.Function;

/** {@code route_select} / {@code route_mapping}: one of the next escapers per task, by the pick policy. */
public final class RouteSelectEscaper extends RouteEscaper {
    private final Picker<String> picker;

    public RouteSelectEscaper(RouteSelectEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats) {
        super(config.name(), escapers, stats);
        this.picker = new Picker<>(config.nextNodes().stream().map(RouteSelectEscaperConfig.Node::name).toList(),
                config.nextNodes().stream().map(RouteSelectEscaperConfig.Node::weight).toList(), config.pickPolicy());
    }

    private String pick(EscapeHints hints) {
        return picker.pick(hints.client().orElse(InetAddress.getLoopbackAddress()));
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return passTo(pick(hints)).tcpConnect(target, loop, hints);
    }

    @Override
    String udpNext() {
        return pick(EscapeHints.NONE);
    }
}
