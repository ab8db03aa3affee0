package io.g3k.dataplane.server.http;

import io.g3k.config.HttpKeepAlive;
import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.HttpProxyForward;
import io.g3k.dataplane.stat.EscaperStats;
import io.g3k.dataplane.tls.TlsTimeouts;
import io.g3k.dataplane.util.Errors;
import io.g3k.dataplane.util.LazyDeadline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.Objects;
import java.util.Optional;

/**
 * An upstream HTTP/1.1 connection for forwarding (TLS to the target for https forward, unless the escaper led to a
 * next HTTP proxy that takes the request as it is). It may serve several exchanges of one client connection in
 * turn while the target says keep-alive. Responses come as Netty's objects, or, where nothing needs them as
 * objects (no RESPMOD, an HTTP/1 client), as raw bytes from a {@link RawResponseDecoder}.
 */
final class HttpForwardConnection extends ChannelInboundHandlerAdapter {
    private final Channel channel;
    private final UpstreamAddr target;
    private final Optional<SslContext> tls;
    private final String tlsName;
    private final Optional<HttpProxyForward> viaProxy;
    private final RawResponseDecoder raw;
    private HttpForwardExchange exchange;
    private boolean reusable = true;
    private boolean shareable;
    /** Armed while idle between exchanges: per request, arming and cancelling only move a timestamp. */
    private final LazyDeadline idleExpiry;
    private final Runnable closeWhenIdle = this::close; // one for the connection, not one a request

    private HttpForwardConnection(Channel channel, HttpRoute.Target route, RawResponseDecoder raw) {
        this.channel = channel;
        this.target = route.addr();
        this.tls = route.tls();
        this.tlsName = route.tlsName();
        this.viaProxy = HttpProxyForward.of(channel);
        this.raw = raw;
        this.idleExpiry = new LazyDeadline(channel.eventLoop());
    }

    static Future<HttpForwardConnection> open(Channel channel, HttpRoute.Target route, int maxHeaderSize,
                                              int maxBodyLine, boolean raw, EscaperStats stats) {
        UpstreamAddr target = route.addr();
        Promise<HttpForwardConnection> ready = channel.eventLoop().newPromise();
        SslHandler ssl = null;
        if (route.tls().isPresent() && HttpProxyForward.of(channel).isEmpty()) {
            ssl = TlsTimeouts.add(channel, route.tls().get().newHandler(channel.alloc(), route.tlsName(), target.port()),
                    route.tlsHandshakeTimeout(), (p, h) -> p.addLast("tls", h));
        }
        HttpForwardConnection connection = adopt(channel, route, maxHeaderSize, maxBodyLine, raw);
        if (ssl == null) {
            ready.setSuccess(connection);
        } else {
            ssl.handshakeFuture().addListener(f -> {
                stats.tlsHandshake(f.cause());
                if (f.isSuccess()) {
                    ready.trySuccess(connection);
                } else {
                    channel.close();
                    ready.tryFailure(new EscapeException(EscapeException.Reason.TLS_FAILED,
                            "TLS handshake with " + target + " failed: " + Errors.rootMessage(f.cause())));
                }
            });
        }
        return ready;
    }

    /**
     * Forwards over a channel that is ready as it is (TLS, if any, already done: an intercepted tunnel's).
     * {@code raw}: responses come as raw bytes. {@code maxBodyLine} bounds chunk-size lines (Netty's decoder bounds
     * them by its initial-line limit, so there it is at least Netty's 4096).
     */
    static HttpForwardConnection adopt(Channel channel, HttpRoute.Target route, int maxHeaderSize, int maxBodyLine,
                                       boolean raw) {
        RawResponseDecoder decoder = raw ? new RawResponseDecoder(maxHeaderSize, maxBodyLine) : null;
        HttpForwardConnection connection = new HttpForwardConnection(channel, route, decoder);
        if (raw) {
            channel.pipeline().addLast("request-encoder", new HttpRequestEncoder())
                    .addLast("response-decoder", decoder);
        } else {
            channel.pipeline().addLast("codec", new HttpClientCodec(new HttpDecoderConfig()
                    .setMaxHeaderSize(maxHeaderSize).setMaxInitialLineLength(Math.max(4096, maxBodyLine)),
                    HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE,
                    HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST));
        }
        channel.pipeline().addLast("forward", connection);
        channel.config().setAutoRead(true);
        channel.read();
        return connection;
    }

    Channel channel() {
        return channel;
    }

    /** Whether responses come as raw bytes ({@link RawResponseDecoder}) rather than Netty's objects. */
    boolean raw() {
        return raw != null;
    }

    /** Set when this connection is to a next HTTP proxy that takes requests in absolute form. */
    Optional<HttpProxyForward> viaProxy() {
        return viaProxy;
    }

    /** Set when the connection may serve other clients after its own (opened for no user, by a direct escaper). */
    void shareable(boolean shareable) {
        this.shareable = shareable;
    }

    /** Idle, reusable and shareable: it may wait in an {@link UpstreamPool} once its client is gone. */
    boolean idleAndShareable() {
        return shareable && idle();
    }

    /** Idle and open to the same target the same way: the same TLS context, and name where TLS is on. */
    boolean reusableFor(HttpRoute.Target route) {
        return idle() && target.equals(route.addr()) && tls.equals(route.tls())
                && (tls.isEmpty() || Objects.equals(tlsName, route.tlsName()));
    }

    /** Open, fit for another exchange, and between exchanges. */
    private boolean idle() {
        return reusable && channel.isActive() && exchange == null;
    }

    /** The exchange is about to send its request with this method; {@code upgrading}: it asks for an upgrade. */
    void attach(HttpForwardExchange exchange, HttpMethod method, boolean upgrading) {
        this.exchange = exchange;
        idleExpiry.cancel();
        if (raw != null) {
            raw.expect(HttpMethod.HEAD.equals(method), upgrading);
        }
    }

    /**
     * The exchange finished; keep the connection only if the target allows it and the server's
     * {@code http_forward_upstream_keepalive} does, and for no longer unused than its {@code idle_expire}.
     */
    void detach(boolean keepAlive, HttpKeepAlive policy) {
        exchange = null;
        if (!keepAlive || !policy.enabled()) {
            close();
            return;
        }
        idleExpiry.arm(policy.idleExpire(), closeWhenIdle);
    }

    /**
     * The exchange switched protocols (101): the connection is the tunnel's now, and never reused. Its HTTP handlers
     * go with the client's when the relay starts (the decoder's buffered bytes flow into it).
     */
    void upgraded() {
        exchange = null;
        reusable = false;
    }

    void close() {
        reusable = false;
        idleExpiry.stop();
        channel.close();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (exchange == null) {
            ReferenceCountUtil.release(msg);
            close();
            return;
        }
        if (msg instanceof RawResponseDecoder.Body body) {
            exchange.onRawBody(body);
            return;
        }
        if (msg instanceof RawResponseDecoder.Head head) {
            exchange.onRawHead(head);
            return;
        }
        if (msg instanceof HttpResponse response) {
            exchange.onResponse(response);
        }
        if (msg instanceof HttpContent content) {
            exchange.onContent(content);
        } else if (!(msg instanceof HttpResponse)) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.flushClient();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.upstreamWritabilityChanged(ctx.channel().isWritable());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        reusable = false;
        idleExpiry.stop();
        if (exchange != null) {
            exchange.onUpstreamClosed();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof DecoderException && exchange != null) {
            exchange.onInvalidResponse(cause.getMessage()); // closes this connection too
        } else {
            close();
        }
    }
}
