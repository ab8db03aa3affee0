package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteByNetworkEscaperConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.g3k.dataplane.resolve.Resolver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.util.function.Function;

/**
 * {@code route_client}: the next escaper by the client's address. {@code route_resolved}: by the target's address,
 * resolving names with its own resolver first (the next escaper resolves again for its connect).
 */
public final class RouteByNetworkEscaper extends RouteEscaper {
    private final RouteByNetworkEscaperConfig config;
    private final Function<String, Resolver> resolvers;

    public RouteByNetworkEscaper(RouteByNetworkEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats,
                                 Function<String, Resolver> resolvers) {
        super(config.name(), escapers, stats);
        this.config = config;
        this.resolvers = resolvers;
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        if (config.type().equals("route_client")) {
            String next = hints.client().map(config::route).orElse(config.defaultNext());
            return passTo(next).tcpConnect(target, loop, hints);
        }
        return connectVia(nextByTarget(target, loop), target, loop, hints);
    }

    private Future<String> nextByTarget(UpstreamAddr target, EventLoop loop) {
        Promise<String> out = loop.newPromise();
        var ip = target.ip();
        if (ip.isPresent()) {
            return out.setSuccess(config.route(ip.get()));
        }
        resolvers.apply(config.resolver().orElseThrow()).query(target.host(), Resolver.Family.IPV4)
                .whenComplete((addresses, e) -> loop.execute(() -> {
                    if (e != null || addresses.isEmpty()) {
                        out.tryFailure(new EscapeException(EscapeException.Reason.RESOLVE_FAILED,
                                "cannot resolve " + target.host() + " to route it"));
                    } else {
                        InetAddress first = addresses.getFirst();
                        out.trySuccess(config.route(first));
                    }
                }));
        return out;
    }

    @Override
    String udpNext() {
        return config.defaultNext();
    }
}
