package io.g3k.dataplane.audit;

import io.g3k.dataplane.util.Errors;
import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.relay.Relay;
import io.g3k.dataplane.task.Task;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * Inspects an opened tunnel. The side that speaks first decides: a TLS record from the client is intercepted (the
 * proxy finishes TLS with the real target first, verifying it, then answers the client with a certificate for the
 * same name signed by the auditor's CA, and relays the plaintext between the two sessions); anything else, or the
 * target speaking first, is relayed untouched.
 */
public final class TlsInterception {
    private static final byte TLS_HANDSHAKE = 0x16;
    private static final int MAX_CLIENT_HELLO = 65536;

    private final Auditor auditor;
    private final Channel client;
    private final Channel upstream;
    private final Task task;
    private final UpstreamAddr target;
    private boolean decided;
    private boolean ended;
    private String upstreamFailure;

    private TlsInterception(Auditor auditor, Channel client, Channel upstream, Task task, UpstreamAddr target) {
        this.auditor = auditor;
        this.client = client;
        this.upstream = upstream;
        this.task = task;
        this.target = target;
    }

    /** Like {@link Relay#afterReply}, but the tunnel is inspected when the server has an auditor that wants it. */
    public static void afterReply(Optional<Auditor> auditor, ChannelHandlerContext ctx, Object reply, Channel upstream,
                                  Task task, UpstreamAddr target) {
        if (auditor.isEmpty() || !auditor.get().inspects()) {
            Relay.afterReply(ctx, reply, upstream, task);
            return;
        }
        var interception = new TlsInterception(auditor.get(), ctx.channel(), upstream, task, target);
        Relay.afterReply(ctx, reply, upstream, task, interception::start);
    }

    private void start() {
        upstream.pipeline().addLast("audit-hold", new UpstreamHold());
        client.pipeline().addLast("audit-first-bytes", new ClientFirstBytes());
        client.pipeline().addLast("audit-client-end", new ClientEnd());
        Relay.removeProtocolHandlers(client, "audit-first-bytes");
        upstream.config().setAutoRead(true);
        client.config().setAutoRead(true);
        upstream.read();
        client.read();
    }

    private void relayPlain() {
        decided = true;
        relay();
    }

    private void relay() {
        Relay.relay(client, upstream, task);
        upstream.pipeline().remove("audit-hold");
    }

    private void intercept(ChannelHandlerContext firstBytes) {
        decided = true;
        firstBytes.pipeline().addAfter(firstBytes.name(), "audit-sni",
                new SniHandler(this::lookup, MAX_CLIENT_HELLO, auditor.handshakeTimeout().toMillis()));
        firstBytes.pipeline().remove(firstBytes.handler());
    }

    /** SNI lookup: finish TLS with the target under the client's server name, then sign a certificate for it. */
    private Future<SslContext> lookup(String serverName, Promise<SslContext> promise) {
        String host = serverName != null ? serverName : target.host();
        SslHandler tls = auditor.interceptionClient().newHandler(upstream.alloc(), host, target.port());
        tls.setHandshakeTimeoutMillis(auditor.handshakeTimeout().toMillis());
        upstream.pipeline().addBefore("audit-hold", "audit-tls", tls);
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

    /** Waits for the client's first byte: a TLS handshake record is intercepted, anything else relayed. */
    private final class ClientFirstBytes extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (decided || !in.isReadable()) {
                return;
            }
            if (in.getByte(in.readerIndex()) == TLS_HANDSHAKE) {
                intercept(ctx);
            } else {
                relayPlain();
            }
        }
    }

    /** Keeps what the target sends until the relay runs; the target speaking first means there is no TLS to take. */
    private final class UpstreamHold extends ByteToMessageDecoder {
        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
            if (!decided && in.isReadable()) {
                relayPlain();
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

    /** The client side until the relay takes over: starts it after the client's handshake, ends the task on errors. */
    private final class ClientEnd extends ChannelInboundHandlerAdapter {
        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof SslHandshakeCompletionEvent handshake) {
                if (handshake.isSuccess()) {
                    relay();
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
