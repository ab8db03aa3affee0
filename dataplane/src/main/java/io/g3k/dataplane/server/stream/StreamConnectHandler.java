package io.g3k.dataplane.server.stream;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.tls.TlsTimeouts;
import io.g3k.dataplane.util.Picker;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The stream servers' task: as soon as the client is in, pick an upstream, connect through the escaper (with TLS
 * when {@code tls_client} is set), then relay. Bytes the client sends meanwhile are kept and sent first.
 */
public final class StreamConnectHandler extends ChannelInboundHandlerAdapter {
    /** What a stream server passes to each connection. */
    public record Settings(String server, String type, Picker<UpstreamAddr> picker, Optional<SslContext> tlsClient,
                           Optional<String> tlsName, Duration tlsHandshakeTimeout) {}

    private final Settings settings;
    private final ServerContext context;
    private final List<Object> early = new ArrayList<>();
    private Task task;

    public StreamConnectHandler(Settings settings, ServerContext context) {
        this.settings = settings;
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            start(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        start(ctx);
        ctx.fireChannelActive();
    }

    private void start(ChannelHandlerContext ctx) {
        if (task != null) {
            return;
        }
        ctx.channel().config().setAutoRead(false);
        InetSocketAddress client = (InetSocketAddress) ClientAddress.of(ctx.channel());
        UpstreamAddr target = settings.picker().pick(client.getAddress());
        task = context.tasks().start(settings.server(), settings.type(), client)
                .upstream(target, context.escaper().name());
        context.escaper().tcpConnect(target, ctx.channel().eventLoop(), EscapeHints.of(ctx.channel(), Optional.empty()))
                .addListener((Future<Channel> f) -> connected(ctx, target, f));
    }

    private void connected(ChannelHandlerContext ctx, UpstreamAddr target, Future<Channel> f) {
        if (!f.isSuccess()) {
            EscapeException e = EscapeException.of(f.cause());
            task.finish(e.reason() + ": " + e.getMessage());
            ctx.close();
            return;
        }
        Channel upstream = f.getNow();
        if (!ctx.channel().isActive()) {
            upstream.close();
            task.finish("ClientClosed");
            return;
        }
        if (settings.tlsClient().isEmpty()) {
            relay(ctx, upstream);
            return;
        }
        SslHandler ssl = TlsTimeouts.add(upstream, settings.tlsClient().get().newHandler(upstream.alloc(),
                settings.tlsName().orElse(target.host()), target.port()), settings.tlsHandshakeTimeout(),
                (p, h) -> p.addFirst("tls", h));
        upstream.read();
        ssl.handshakeFuture().addListener(h -> {
            if (h.isSuccess()) {
                relay(ctx, upstream);
            } else {
                task.finish("TLS_FAILED: " + h.cause().getMessage());
                upstream.close();
                ctx.close();
            }
        });
    }

    private void relay(ChannelHandlerContext ctx, Channel upstream) {
        for (Object msg : early) {
            if (msg instanceof io.netty.buffer.ByteBuf buf) {
                task.out(buf.readableBytes());
            }
            upstream.write(msg);
        }
        early.clear();
        upstream.flush();
        Relay.relay(ctx.channel(), upstream, task);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        early.add(msg);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        early.forEach(ReferenceCountUtil::release);
        early.clear();
        if (task != null) {
            task.finish("ClientClosed");
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
