package io.g3k.dataplane.audit;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.auth.UserAudit;
import io.g3k.config.audit.ProtocolInspectPolicy.Action;
import io.g3k.dataplane.audit.ProtocolInspection.Protocol;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.http.HttpInterception;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.tls.TlsTimeouts;
import io.g3k.dataplane.util.Errors;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Audits an opened tunnel. Protocol inspection names what the first bytes carry (the client's, or the target's when
 * it speaks first). A TLS handshake from the client is intercepted when the auditor has a certificate generator:
 * the proxy finishes TLS with the real target first, verifying it, then answers the client with a certificate for
 * the same name signed by the auditor's CA. HTTP/1 in the tunnel (inside intercepted TLS, or in the clear when the
 * auditor has ICAP services) is intercepted: each request is forwarded, logged and adapted on its own. Anything
 * else is relayed untouched.
 */
public final class TunnelAudit {
    private static final int MAX_CLIENT_HELLO = 65536;

    /** Where the audit stands: waiting for the first bytes in the clear, then (intercepted) decrypted; or done. */
    private enum Phase { CLEAR, HANDSHAKE, DECRYPTED, DECIDED }

    private final Auditor auditor;
    private final ServerContext context;
    private final String server;
    private final Channel client;
    private final Channel upstream;
    private final Task task;
    private final UpstreamAddr target;
    private String serverName;
    private Phase phase = Phase.CLEAR;
    private boolean ended;
    private String upstreamFailure;
    private UpstreamHold hold;

    private TunnelAudit(Auditor auditor, ServerContext context, String server, Channel client, Channel upstream,
                        Task task, UpstreamAddr target) {
        this.auditor = auditor;
        this.context = context;
        this.server = server;
        this.client = client;
        this.upstream = upstream;
        this.task = task;
        this.target = target;
        this.serverName = target.host();
    }

    /**
     * Like {@link Relay#afterReply}, but the tunnel is audited when the server has an auditor that samples it (for a
     * {@code user}'s, see {@link Auditor#inspects}).
     */
    public static void afterReply(ServerContext context, String server, ChannelHandlerContext ctx, Object reply,
                                  Channel upstream, Task task, UpstreamAddr target, Optional<UserAudit> user) {
        Optional<Auditor> auditor = context.auditor();
        if (auditor.isEmpty() || !auditor.get().inspects(user)) {
            Relay.afterReply(ctx, reply, upstream, task);
            return;
        }
        var audit = new TunnelAudit(auditor.get(), context, server, ctx.channel(), upstream, task, target);
        Relay.afterReply(ctx, reply, upstream, task, audit::start);
    }

    private void start() {
        hold = new UpstreamHold();
        upstream.pipeline().addLast("audit-hold", hold);
        client.pipeline().addLast("audit-first-bytes", new ClientFirstBytes(Phase.CLEAR));
        client.pipeline().addLast("audit-client-end", new ClientEnd());
        Relay.removeProtocolHandlers(client, "audit-first-bytes");
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
        upstream.read();
        client.read();
    }

    /** What the client's first bytes (in the clear, or decrypted) say decides what happens to the tunnel. */
    private void clientSpoke(ChannelHandlerContext firstBytes, Protocol protocol) {
        boolean decrypted = phase == Phase.DECRYPTED;
        phase = Phase.DECIDED;
        task.inspected(protocol.logName);
        if (protocol == Protocol.TLS && !decrypted && auditor.interceptsTls()) {
            phase = Phase.HANDSHAKE;
            intercept(firstBytes);
        } else if (protocol == Protocol.HTTP2 && decrypted && auditor.action(protocol, target) == Action.BLOCK) {
            end("Blocked: h2_inspect_policy");
        } else if (protocol == Protocol.HTTP2 && decrypted) {
            upstream.pipeline().remove("audit-hold");
            HttpInterception.startH2(context, server, firstBytes, upstream, target, auditor.interceptionClient(),
                    serverName, auditor.handshakeTimeout());
        } else if (protocol == Protocol.HTTP1 && (decrypted || auditor.adaptsHttp())) {
            upstream.pipeline().remove("audit-hold");
            HttpInterception.start(context, server, firstBytes, upstream, target,
                    decrypted ? Optional.of(auditor.interceptionClient()) : Optional.empty(), serverName,
                    auditor.handshakeTimeout());
        } else {
            relay();
        }
    }

    /**
     * A protocol its inspect policy blocks: the client gets that protocol's refusal where it has one (SMTP's 554
     * greeting, IMAP's BYE), nothing of the target, and the tunnel ends.
     */
    private void block(Protocol protocol) {
        String refusal = switch (protocol) {
            case SMTP -> "554 5.7.1 blocked by the proxy's smtp_inspect_policy\r\n";
            case IMAP -> "* BYE blocked by the proxy's imap_inspect_policy\r\n";
            default -> "";
        };
        String reason = "Blocked: " + protocol.logName + "_inspect_policy";
        client.writeAndFlush(Unpooled.copiedBuffer(refusal, StandardCharsets.US_ASCII))
                .addListener(written -> end(reason));
    }

    private void relay() {
        Relay.relay(client, upstream, task);
        upstream.pipeline().remove("audit-hold");
    }

    private void intercept(ChannelHandlerContext firstBytes) {
        firstBytes.pipeline().addAfter(firstBytes.name(), "audit-sni",
                TlsTimeouts.sni(this::lookup, MAX_CLIENT_HELLO, auditor.handshakeTimeout()));
        firstBytes.pipeline().remove(firstBytes.handler());
    }

    /** SNI lookup: finish TLS with the target under the client's server name, then sign a certificate for it. */
    private Future<SslContext> lookup(String sni, Promise<SslContext> promise) {
        String host = sni != null ? sni : target.host();
        serverName = host;
        SslHandler tls = TlsTimeouts.add(upstream, auditor.interceptionClient().newHandler(upstream.alloc(), host,
                target.port()), auditor.handshakeTimeout(), (p, h) -> p.addBefore("audit-hold", "audit-tls", h));
        tls.handshakeFuture().addListener(handshake -> {
            if (!handshake.isSuccess()) {
                upstreamFailure = "UpstreamTlsError: " + Errors.rootMessage(handshake.cause());
                promise.tryFailure(new SSLException("TLS with " + host + " failed", handshake.cause()));
                return;
            }
            auditor.certGenerator().serverContext(host).whenComplete((context, error) -> client.eventLoop().execute(() -> {
                if (error != null) {
                    upstreamFailure = "CertGeneratorError: " + error.getMessage();
                    promise.tryFailure(error);
                } else {
                    promise.trySuccess(context);
                }
            }));
        });
        return promise;
    }

    private void end(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        client.close();
        upstream.close();
        task.finish(reason);
    }

    /** Waits for the client's first bytes (in the clear, or decrypted in intercepted TLS) and inspects them. */
    private final class ClientFirstBytes extends ByteToMessageDecoder {
        private final Phase waitsIn;

        ClientFirstBytes(Phase waitsIn) {
            this.waitsIn = waitsIn;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (phase != waitsIn || !in.isReadable()) {
                return;
            }
            Protocol protocol = ProtocolInspection.clientFirst(in);
            if (protocol != null) {
                clientSpoke(ctx, protocol);
                if (ctx.pipeline().context(this) != null) {
                    ctx.pipeline().remove(this);
                }
            }
        }
    }

    /** Keeps what the target sends until the tunnel is decided; the target speaking first means no TLS to take. */
    private final class UpstreamHold extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            inspect(in);
        }

        /** The target may have spoken while the client's handshake ran: look again at what is held. */
        void recheck() {
            inspect(internalBuffer());
        }

        private void inspect(ByteBuf in) {
            if ((phase != Phase.CLEAR && phase != Phase.DECRYPTED) || !in.isReadable()) {
                return;
            }
            Protocol protocol = ProtocolInspection.serverFirst(in, target.port());
            if (protocol != null || in.readableBytes() >= ProtocolInspection.MAX_PEEK) {
                phase = Phase.DECIDED;
                task.inspected(protocol == null ? Protocol.UNKNOWN.logName : protocol.logName);
                if (protocol != null && auditor.action(protocol, target) == Action.BLOCK) {
                    block(protocol);
                } else {
                    relay();
                }
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            end(upstreamFailure != null ? upstreamFailure : "UpstreamClosed");
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end("UpstreamError: " + cause.getMessage());
        }
    }

    /** The client side until the relay takes over: inspects after the client's handshake, ends the task on errors. */
    private final class ClientEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                if (handshake.isSuccess()) {
                    // what runs inside the intercepted TLS is inspected in turn
                    phase = Phase.DECRYPTED;
                    auditor.streamDump().ifPresent(dump -> ctx.pipeline().addAfter(
                            ctx.pipeline().context(SslHandler.class).name(), "audit-dump", dump.tap(client, upstream)));
                    ctx.pipeline().addBefore(ctx.name(), "audit-decrypted", new ClientFirstBytes(Phase.DECRYPTED));
                    hold.recheck();
                } else {
                    end(upstreamFailure != null ? upstreamFailure
                            : "ClientTlsError: " + handshake.cause().getMessage());
                }
                return;
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end("ClientClosed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end(upstreamFailure != null ? upstreamFailure : "ClientError: " + cause.getMessage());
        }
    }
}
