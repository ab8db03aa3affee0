package io.g3k.dataplane.server.sniproxy;

import io.g3k.config.IpLiteral;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.SniProxyServerConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.Timeout;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Buffers the start of the connection until it names its target: the SNI of a TLS ClientHello, or the Host of
 * an HTTP request. The target port is the Host header's port, else the port the client connected to. Then it
 * connects through the escaper and the buffered bytes go first into the relay. Anything unnamed, malformed, an IP
 * literal SNI (RFC 6066), or too large, is closed without a connect.
 */
final class SniProxyHandler extends ByteToMessageDecoder {
    private final SniProxyServerConfig config;
    private final ServerContext context;
    private Timeout deadline;
    private boolean routed;
    private boolean receiving;

    SniProxyHandler(SniProxyServerConfig config, ServerContext context) {
        this.config = config;
        this.context = context;
    }

    /** Until the first byte: {@code request_wait_timeout}; from it to the whole ClientHello or request head: recv. */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        deadline = closeAfter(ctx, config.requestWaitTimeout());
    }

    private Timeout closeAfter(ChannelHandlerContext ctx, Duration timeout) {
        return CoarseTimer.schedule(ctx.executor(), () -> {
            if (!routed) {
                ctx.close();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (routed || !in.isReadable()) {
            return;
        }
        if (!receiving) {
            receiving = true;
            deadline.cancel();
            deadline = closeAfter(ctx, config.requestRecvTimeout());
        }
        int localPort = ((InetSocketAddress) ctx.channel().localAddress()).getPort();
        Optional<UpstreamAddr> target;
        if (in.getUnsignedByte(in.readerIndex()) == 0x16) {
            ClientHelloSni.Result sni = ClientHelloSni.parse(in);
            if (!sni.complete()) {
                checkSize(ctx, in);
                return;
            }
            target = sni.valid() && sni.name() != null && IpLiteral.parse(sni.name()).isEmpty()
                    ? address(sni.name(), localPort) : Optional.empty();
        } else {
            int end = headEnd(in);
            if (end < 0) {
                checkSize(ctx, in);
                return;
            }
            target = hostHeader(in.toString(in.readerIndex(), end - in.readerIndex(), StandardCharsets.ISO_8859_1))
                    .flatMap(host -> address(host, localPort));
        }
        target = target.flatMap(this::allowed);
        if (target.isEmpty()) {
            ctx.close();
            return;
        }
        routed = true;
        deadline.cancel();
        connect(ctx, target.get());
    }

    private void connect(ChannelHandlerContext ctx, UpstreamAddr target) {
        ctx.channel().config().setAutoRead(false);
        Task task = context.tasks().start(config.name(), "sni_proxy", ClientAddress.of(ctx.channel()))
                .upstream(target, context.escaper().name());
        context.escaper().tcpConnect(target, ctx.channel().eventLoop(), EscapeHints.of(ctx.channel(), Optional.empty())).addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                EscapeException e = EscapeException.of(f.cause());
                task.finish(e.reason() + ": " + e.getMessage());
                ctx.close();
                return;
            }
            if (!ctx.channel().isActive()) {
                f.getNow().close();
                task.finish("ClientClosed");
                return;
            }
            Relay.relay(ctx.channel(), f.getNow(), task);
        });
    }

    private void checkSize(ChannelHandlerContext ctx, ByteBuf in) {
        if (in.readableBytes() > config.tlsMaxClientHelloSize()) {
            ctx.close();
        }
    }

    /** Without {@code allowed_hosts} every host goes; with it only those listed, to their redirect if they have one. */
    private Optional<UpstreamAddr> allowed(UpstreamAddr requested) {
        if (config.allowedHosts().isEmpty()) {
            return Optional.of(requested);
        }
        return config.allowedHosts().get().stream().filter(h -> h.match().matches(requested.host())).findFirst()
                .map(h -> new UpstreamAddr(h.redirectHost().orElse(requested.host()),
                        h.redirectPort().orElse(requested.port())));
    }

    private static Optional<UpstreamAddr> address(String host, int defaultPort) {
        try {
            return Optional.of(UpstreamAddr.parse(host, defaultPort));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static int headEnd(ByteBuf in) {
        for (int i = in.readerIndex(); i + 3 < in.writerIndex(); i++) {
            if (in.getByte(i) == '\r' && in.getByte(i + 1) == '\n' && in.getByte(i + 2) == '\r' && in.getByte(i + 3) == '\n') {
                return i;
            }
        }
        return -1;
    }

    /** Exactly one Host header, or nothing. */
    static Optional<String> hostHeader(String head) {
        String host = null;
        String[] lines = head.split("\r\n", -1);
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0 && lines[i].substring(0, colon).toLowerCase(Locale.ROOT).equals("host")) {
                if (host != null) {
                    return Optional.empty();
                }
                host = lines[i].substring(colon + 1).trim();
            }
        }
        return Optional.ofNullable(host).filter(h -> !h.isEmpty());
    }
}
