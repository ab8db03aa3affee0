package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.function.Function;

/**
 * What the {@code route_*} escapers share: they own no sockets, they pick the next escaper by name (looked up
 * live, so a reloaded next escaper serves at once) and hand the work over. UDP goes to {@link #udpNext()}.
 */
abstract class RouteEscaper implements Escaper {
    private final String name;
    private final Function<String, Escaper> escapers;
    private final RouteStats stats;

    RouteEscaper(String name, Function<String, Escaper> escapers, RouteStats stats) {
        this.name = name;
        this.escapers = escapers;
        this.stats = stats;
    }

    @Override
    public final String name() {
        return name;
    }

    final Escaper next(String next) {
        return escapers.apply(next);
    }

    /** The next escaper a task goes to, counted as passed ({@code route.request.passed}). */
    final Escaper passTo(String next) {
        stats.requestPassed.increment();
        return next(next);
    }

    /** Connects through the escaper {@code pick} names once it is known; a failed pick fails the connect. */
    final Future<Channel> connectVia(Future<String> pick, UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Promise<Channel> result = loop.newPromise();
        pick.addListener((Future<String> picked) -> {
            if (!picked.isSuccess()) {
                stats.requestFailed.increment();
                result.tryFailure(picked.cause());
                return;
            }
            passTo(picked.getNow()).tcpConnect(target, loop, hints).addListener((Future<Channel> c) -> {
                if (c.isSuccess()) {
                    result.trySuccess(c.getNow());
                } else {
                    result.tryFailure(c.cause());
                }
            });
        });
        return result;
    }

    /** The next escaper is known only per task: let the task try, and check what the connection says. */
    @Override
    public boolean mayForwardAsIs(String scheme) {
        return true;
    }

    /** The escaper UDP sockets and UDP name lookups go to. */
    abstract String udpNext();

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return next(udpNext()).udpResolve(target, loop);
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return next(udpNext()).udpBind(loop, handler);
    }
}
