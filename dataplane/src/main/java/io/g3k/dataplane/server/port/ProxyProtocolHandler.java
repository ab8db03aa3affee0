package io.g3k.dataplane.server.port;

import io.g3k.config.ProxyProtocol;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.stat.ServerStats;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.Timeout;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Reads the PROXY protocol header (Netty's decoder) that must start every connection on this port: the announced
 * source becomes the client address for the servers behind. A missing, malformed, wrong-version or late header
 * closes the connection.
 */
public final class ProxyProtocolHandler extends ChannelInboundHandlerAdapter {
    private final ProxyProtocol version;
    private final Duration timeout;
    private final ServerStats stats;
    private final Runnable next;
    private Timeout deadline;
    private boolean done;

    private ProxyProtocolHandler(ProxyProtocol version, Duration timeout, ServerStats stats, Runnable next) {
        this.version = version;
        this.timeout = timeout;
        this.stats = stats;
        this.next = next;
    }

    /** Puts the decoder and this handler on the channel; {@code next} runs once the header is accepted. */
    public static void install(io.netty.channel.Channel ch, ProxyProtocol version, Duration timeout,
                               ServerStats stats, Runnable next) {
        ch.pipeline().addLast("proxy-protocol-decoder", new HAProxyMessageDecoder());
        ch.pipeline().addLast("proxy-protocol", new ProxyProtocolHandler(version, timeout, stats, next));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = CoarseTimer.schedule(ctx.executor(), () -> {
            if (!done) {
                stats.listenTimeout.increment();
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof HAProxyMessage header)) {
            // bytes behind the header, decoded in the same read: they belong to the next server
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            HAProxyProtocolVersion expected = version == ProxyProtocol.V1 ? HAProxyProtocolVersion.V1
                    : HAProxyProtocolVersion.V2;
            if (header.protocolVersion() != expected) {
                stats.listenFailed.increment();
                ctx.close();
                return;
            }
            if (header.command() == HAProxyCommand.PROXY && header.sourceAddress() != null
                    && (header.proxiedProtocol() == HAProxyProxiedProtocol.TCP4
                    || header.proxiedProtocol() == HAProxyProxiedProtocol.TCP6)) {
                ClientAddress.announce(ctx.channel(),
                        new InetSocketAddress(header.sourceAddress(), header.sourcePort()));
            }
            done = true;
            deadline.cancel();
            next.run();
            ctx.pipeline().remove(this);
        } finally {
            header.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        stats.listenFailed.increment();
        ctx.close();
    }
}
