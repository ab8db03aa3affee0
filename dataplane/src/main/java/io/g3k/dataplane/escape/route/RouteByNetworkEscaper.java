package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteByNetworkEscaperConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.resolve.Resolver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * {@code route_client}: the next escaper by the client's address. {@code route_resolved}: by the target's address,
 * resolving names with its own resolver first (the next escaper resolves again for its connect).
 */
public final class RouteByNetworkEscaper implements Escaper {
    private final RouteByNetworkEscaperConfig config;
    private final Function<String, Escaper> escapers;
    private final Function<String, Resolver> resolvers;

    public RouteByNetworkEscaper(RouteByNetworkEscaperConfig config, Function<String, Escaper> escapers,
                                 Function<String, Resolver> resolvers) {
        this.config = config;
        this.escapers = escapers;
        this.resolvers = resolvers;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        if (config.type().equals("route_client")) {
            String next = hints.client().map(config::route).orElse(config.defaultNext());
            return escapers.apply(next).tcpConnect(target, loop, hints);
        }
        Promise<Channel> result = loop.newPromise();
        nextByTarget(target, loop).addListener((Future<String> f) -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            escapers.apply(f.getNow()).tcpConnect(target, loop, hints).addListener((Future<Channel> c) -> {
                if (c.isSuccess()) {
                    result.trySuccess(c.getNow());
                } else {
                    result.tryFailure(c.cause());
                }
            });
        });
        return result;
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
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return escapers.apply(config.defaultNext()).udpResolve(target, loop);
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return escapers.apply(config.defaultNext()).udpBind(loop, handler);
    }
}
