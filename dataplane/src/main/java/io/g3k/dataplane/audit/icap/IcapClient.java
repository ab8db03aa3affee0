package io.g3k.dataplane.audit.icap;

import io.g3k.config.audit.IcapServiceConfig;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.g3k.dataplane.util.CoarseTimer;
import io.g3k.dataplane.util.ConnectTimeout;
import io.g3k.dataplane.util.Errors;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.ssl.SslContext;
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
 * for it. One connection per message, on the caller's event loop. Messages are bounded by {@link #MAX_BODY}.
 */
public final class IcapClient {
    /** Bodies are adapted whole; larger ones are refused (or let through unadapted with {@code bypass}). */
    public static final long MAX_BODY = 8L << 20;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration EXCHANGE_TIMEOUT = Duration.ofSeconds(30);

    private record Options(int preview, boolean allow204, long expiresAtNanos) {}

    private final IcapServiceConfig config;
    private final Transport transport;
    private final SslContext tls;
    private volatile Options options;

    public IcapClient(IcapServiceConfig config, Transport transport, String location) {
        this.config = config;
        this.transport = transport;
        this.tls = config.tlsClient().map(t -> TlsClientContexts.build(t, location)).orElse(null);
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

    /** Sends the request on a new connection and reads the whole response; the connection is closed after. */
    private Future<IcapResponseReader.Done> exchange(EventLoop loop, IcapRequestBytes request) {
        Promise<IcapResponseReader.Done> result = loop.newPromise();
        IcapResponseReader reader = new IcapResponseReader(config.maxHeaderSize(), MAX_BODY);
        Bootstrap b = transport.tcpBootstrap(loop, false)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        if (tls != null) {
                            ch.pipeline().addLast(tls.newHandler(ch.alloc(),
                                    config.tlsName().orElse(config.url().getHost()), config.port()));
                        }
                        ch.pipeline().addLast(new Connection(request, reader, result));
                    }
                });
        ChannelFuture connect = ConnectTimeout.connect(b, new InetSocketAddress(config.url().getHost(), config.port()),
                CONNECT_TIMEOUT);
        connect.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                request.release();
                result.tryFailure(new IcapException("cannot reach ICAP service " + config.url() + ": "
                        + Errors.rootMessage(f.cause())));
            }
        });
        var timer = CoarseTimer.after(loop, EXCHANGE_TIMEOUT, () -> {
            if (result.tryFailure(new IcapException("ICAP service " + config.url() + " did not answer in time"))) {
                connect.channel().close();
            }
        });
        result.addListener(done -> {
            timer.cancel();
            connect.channel().close();
            reader.release();
        });
        return result;
    }

    /** Writes the request once connected, feeds what comes back to the reader, sends the rest on 100 Continue. */
    private static final class Connection extends ChannelInboundHandlerAdapter {
        private final IcapRequestBytes request;
        private final IcapResponseReader reader;
        private final Promise<IcapResponseReader.Done> result;
        private final ByteBuf received = Unpooled.buffer();
        private boolean restSent;

        Connection(IcapRequestBytes request, IcapResponseReader reader, Promise<IcapResponseReader.Done> result) {
            this.request = request;
            this.reader = reader;
            this.result = result;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.writeAndFlush(request.first());
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                received.writeBytes(in);
            } finally {
                in.release();
            }
            try {
                while (true) {
                    IcapResponseReader.Result r = reader.read(received);
                    if (r instanceof IcapResponseReader.Continue) {
                        if (request.rest() != null && !restSent) {
                            restSent = true;
                            ctx.writeAndFlush(request.rest());
                        }
                        continue;
                    }
                    if (r instanceof IcapResponseReader.Done done) {
                        if (!result.trySuccess(done) && done.body() != null) {
                            done.body().release();
                        }
                    }
                    break;
                }
                received.discardReadBytes();
            } catch (RuntimeException e) {
                result.tryFailure(e instanceof IcapException ? e : new IcapException("bad ICAP response: " + e));
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            result.tryFailure(new IcapException("the ICAP service closed the connection before answering"));
            release();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            result.tryFailure(new IcapException("ICAP connection failed: " + Errors.rootMessage(cause)));
            ctx.close();
        }

        private void release() {
            received.release();
            if (request.rest() != null && !restSent) {
                request.rest().release();
            }
        }
    }
}
