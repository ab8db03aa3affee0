package io.g3k.dataplane.escape.dummydeny;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;

/** {@code dummy_deny}: refuses every task; also stands in for an escaper name that is not defined. */
public record DummyDenyEscaper(String name) implements Escaper {
    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return loop.newFailedFuture(denied());
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return loop.newFailedFuture(denied());
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return loop.newFailedFuture(denied());
    }

    private EscapeException denied() {
        return new EscapeException(EscapeException.Reason.DENIED, "escaper '" + name + "' denies all tasks");
    }
}
