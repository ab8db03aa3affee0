package io.g3k.dataplane.tls;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.g3k.dataplane.stat.ServerStats;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;

/**
 * Waits behind a server-side TLS handler; once the handshake succeeded it removes itself and runs the next step.
 * A failed handshake counts as the listener's {@code listen.timeout} or {@code listen.failed}.
 */
public final class TlsHandshakeGate extends ChannelInboundHandlerAdapter {
    private final ServerStats stats;
    private final Runnable next;

    public TlsHandshakeGate(ServerStats stats, Runnable next) {
        this.stats = stats;
        this.next = next;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                ctx.pipeline().remove(this);
                next.run();
            } else {
                (done.cause() instanceof SslHandshakeTimeoutException ? stats.listenTimeout : stats.listenFailed)
                        .increment();
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
