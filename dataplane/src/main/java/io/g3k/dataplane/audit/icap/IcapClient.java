package io.g3k.dataplane.audit.icap;

import io.g3k.config.audit.IcapServiceConfig;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.g3k.dataplane.tls.TlsTimeouts;
import io.g3k.dataplane.util.CoarseTimer;
import io.g3k.dataplane.util.ConnectTimeout;
import io.g3k.dataplane.util.Errors;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A client of one ICAP service (RFC 3507): learns its preview size and 204 support from OPTIONS (cached for its
 * Options-TTL), then sends REQMOD / RESPMOD with the whole HTTP message, the body previewed when the service asks
 * for it. Messages go on the caller's event loop, on connections kept between them ({@link IcapConnectionPool}),
 * and are bounded by {@link #MAX_BODY}.
 */
public final class IcapClient {
    /** Bodies are adapted whole; larger ones are refused (or let through unadapted with {@code bypass}). */
    public static final long MAX_BODY = 8L << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);
    /** SslHandler's default, which icaps had before its timers went off the event loop. */
    private static final Duration TLS_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private record Options(int preview, boolean allow204, long expiresAtNanos) {}

    private final IcapServiceConfig config;
    private final Transport transport;
    private final SslContext tls;
    private final IcapConnectionPool pool;
    private final IcapServiceAddress address;
    private volatile Options options;

    public IcapClient(IcapServiceConfig config, Transport transport, String location) {
        this.config = config;
        this.transport = transport;
        this.tls = config.tlsClient().map(t -> TlsClientContexts.build(t, location)).orElse(null);
        this.pool = new IcapConnectionPool(config.connectionPool());
        this.address = new IcapServiceAddress(config.url().getHost(), config.port());
    }

    public boolean bypass() {
        return config.bypass();
    }

    /** REQMOD: the request head (with the target as the proxy saw it) and its whole body (taken over). */
    public Future<IcapOutcome> reqmod(EventLoop loop, HttpRequest head, String target, ByteBuf body) {
        Map<String, ByteBuf> heads = new LinkedHashMap<>();
        heads.put("req-hdr", HttpHeads.encode(head, target));
        return adapt(loop, "REQMOD", heads, "req-body", body);
    }

    /** RESPMOD: the request that led to it, the response head and its whole body (taken over). */
    public Future<IcapOutcome> respmod(EventLoop loop, HttpRequest request, String target, HttpResponse head,
                                       ByteBuf body) {
        Map<String, ByteBuf> heads = new LinkedHashMap<>();
        heads.put("req-hdr", HttpHeads.encode(request, target));
        heads.put("res-hdr", HttpHeads.encode(head));
        return adapt(loop, "RESPMOD", heads, "res-body", body);
    }

    private Future<IcapOutcome> adapt(EventLoop loop, String method, Map<String, ByteBuf> heads, String bodyName,
                                      ByteBuf body) {
        Promise<IcapOutcome> result = loop.newPromise();
        options(loop).addListener((Future<Options> o) -> {
            if (!o.isSuccess()) {
                heads.values().forEach(ByteBuf::release);
                body.release();
                result.tryFailure(o.cause());
                return;
            }
            int preview = config.noPreview() ? -1 : o.getNow().preview();
            IcapRequestBytes bytes = IcapRequestBytes.build(method, config.url(), heads, bodyName, body, preview);
            exchange(loop, bytes).addListener((Future<IcapResponseReader.Done> r) -> {
                if (!r.isSuccess()) {
                    result.tryFailure(r.cause());
                    return;
                }
                try {
                    result.trySuccess(outcome(r.getNow()));
                } catch (IcapException e) {
                    result.tryFailure(e);
                }
            });
        });
        return result;
    }

    private static IcapOutcome outcome(IcapResponseReader.Done done) {
        ByteBuf body = done.body() == null ? Unpooled.EMPTY_BUFFER : done.body();
        if (done.status() == 204) {
            body.release();
            return new IcapOutcome.Unmodified();
        }
        if (done.status() != 200) {
            body.release();
            throw new IcapException("the ICAP service answered " + done.status());
        }
        if (done.response() != null) {
            HttpResponse head = done.response();
            FullHttpResponse response = new DefaultFullHttpResponse(head.protocolVersion(), head.status(), body,
                    head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            fixLength(response.headers(), body);
            return new IcapOutcome.Respond(response);
        }
        if (done.request() != null) {
            HttpRequest head = done.request();
            var request = new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), body,
                    head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            fixLength(request.headers(), body);
            return new IcapOutcome.ModifiedRequest(request);
        }
        body.release();
        throw new IcapException("the ICAP service answered 200 without an HTTP message");
    }

    /** The adapted body is whole: it travels with a Content-Length, whatever framing it had. */
    private static void fixLength(io.netty.handler.codec.http.HttpHeaders headers, ByteBuf body) {
        headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
        headers.setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
    }

    private Future<Options> options(EventLoop loop) {
        Options cached = options;
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return loop.newSucceededFuture(cached);
        }
        Promise<Options> result = loop.newPromise();
        String head = "OPTIONS " + config.url() + " ICAP/1.0\r\nHost: " + config.url().getHost()
                + "\r\nEncapsulated: null-body=0\r\n\r\n";
        exchange(loop, new IcapRequestBytes(Unpooled.copiedBuffer(head, java.nio.charset.StandardCharsets.US_ASCII),
                null)).addListener((Future<IcapResponseReader.Done> r) -> {
            if (!r.isSuccess()) {
                result.tryFailure(r.cause());
                return;
            }
            var done = r.getNow();
            if (done.body() != null) {
                done.body().release();
            }
            if (done.status() != 200) {
                result.tryFailure(new IcapException("OPTIONS " + config.url() + " answered " + done.status()));
                return;
            }
            Map<String, String> h = done.headers();
            int preview = h.containsKey("preview") ? Integer.parseInt(h.get("preview").trim()) : -1;
            boolean allow204 = h.getOrDefault("allow", "").contains("204");
            long ttl = Long.parseLong(h.getOrDefault("options-ttl", "3600").trim());
            Options fresh = new Options(preview, allow204, System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl));
            options = fresh;
            result.trySuccess(fresh);
        });
        return result;
    }

    /**
     * Exchanges one message with the service: on a connection of this loop's kept from an earlier message, or on a
     * new one. A kept connection found closed before any answer (the service may close idle connections at any time)
     * sends the message again on a new one.
     */
    private Future<IcapResponseReader.Done> exchange(EventLoop loop, IcapRequestBytes request) {
        Promise<IcapResponseReader.Done> result = loop.newPromise();
        var message = new IcapConnection.Message(request, new IcapResponseReader(config.maxHeaderSize(), MAX_BODY),
                result);
        Channel kept = pool.take(loop);
        if (kept != null) {
            kept.pipeline().get(IcapConnection.class).start(message, () -> connect(loop, message));
        } else {
            connect(loop, message);
        }
        var timer = CoarseTimer.after(loop, EXCHANGE_TIMEOUT, () ->
                result.tryFailure(new IcapException("ICAP service " + config.url() + " did not answer in time")));
        result.addListener(done -> {
            timer.cancel();
            message.reader().release();
            request.release();
        });
        return result;
    }

    private void connect(EventLoop loop, IcapConnection.Message message) {
        address.resolve(loop).addListener((Future<InetSocketAddress> resolved) -> {
            if (resolved.isSuccess()) {
                connect(loop, resolved.getNow(), message);
            } else {
                unreachable(message, resolved.cause());
            }
        });
    }

    private void connect(EventLoop loop, InetSocketAddress remote, IcapConnection.Message message) {
        IcapConnection connection = new IcapConnection(pool);
        Bootstrap b = transport.tcpBootstrap(loop, false)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            TlsTimeouts.addTimedByCaller(ch, tls.newHandler(ch.alloc(), config.tlsName()
                                    .orElse(config.url().getHost()), config.port()), TLS_HANDSHAKE_TIMEOUT,
                                    (p, ssl) -> p.addLast(ssl));
                        }
                        ch.pipeline().addLast(connection);
                        connection.start(message, null);
                    }
                });
        ConnectTimeout.connect(b, remote, CONNECT_TIMEOUT).addListener((ChannelFuture f) -> {
            SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
            if (!f.isSuccess()) {
                unreachable(message, f.cause());
            } else if (ssl != null) {
                TlsTimeouts.timeHandshake(f.channel(), ssl, TLS_HANDSHAKE_TIMEOUT); // from the connection, as Netty's
            }
        });
    }

    private void unreachable(IcapConnection.Message message, Throwable cause) {
        message.result().tryFailure(new IcapException("cannot reach ICAP service " + config.url() + ": "
                + Errors.rootMessage(cause)));
    }

    /** Closes the connections kept for the next messages (the service's configuration was replaced). */
    public void close() {
        pool.close();
    }
}
