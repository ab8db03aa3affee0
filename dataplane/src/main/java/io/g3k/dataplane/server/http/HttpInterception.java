package io.g3k.dataplane.server.http;

import io.g3k.config.HttpKeepAlive;
import io.g3k.config.server.HttpCustomHeaders;
import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.Optional;

/**
 * HTTP/1 intercepted in an audited tunnel (g3proxy's {@code h1_interception}): the HTTP front reads the client's
 * requests and forwards each as its own task to the tunnel's target, first over the tunnel's upstream connection,
 * then over new ones while the client goes on; so each is checked, logged and adapted (ICAP) as forwarded
 * requests are. Limits are g3proxy's h1_interception defaults.
 */
public final class HttpInterception {
    private static final int MAX_HEADER_SIZE = 64 * 1024;
    /** h1_interception's body_line_max_length default, as g3proxy's. */
    private static final int MAX_BODY_LINE = 8192;

    private HttpInterception() {}

    /**
     * Takes over the client side at {@code firstBytes} (its buffered bytes go to the HTTP codec) and the upstream
     * channel. {@code tls}: the client context for new upstream connections when the tunnel's TLS was intercepted.
     */
    public static void start(ServerContext context, String server, ChannelHandlerContext firstBytes, Channel upstream,
                             UpstreamAddr target, Optional<SslContext> tls, String tlsName, Duration handshakeTimeout) {
        HttpRoute.Target route = new HttpRoute.Target(tls.isPresent() ? "https" : "http", target, "", tls, tlsName,
                handshakeTimeout);
        HttpFrontHandler front = new HttpFrontHandler(settings(server, 10), context, new Router(route));
        var pipeline = firstBytes.pipeline();
        pipeline.addAfter(firstBytes.name(), "intercept-front", front);
        HttpCodecs.addServer(pipeline, firstBytes.name(), MAX_HEADER_SIZE);
        // responses as raw bytes, as on the exchanges' own connections, unless RESPMOD needs them as objects
        boolean raw = context.auditor().map(a -> !a.respmods()).orElse(true);
        front.upstream(HttpForwardConnection.adopt(upstream, route, MAX_HEADER_SIZE, MAX_BODY_LINE, raw));
        pipeline.remove(firstBytes.handler());
    }

    /**
     * HTTP/2 intercepted in an audited TLS tunnel (g3proxy's {@code h2_interception}): Netty's HTTP/2 codec takes
     * the client's connection, and each stream is read as an HTTP/1 exchange by its own HTTP front and forwarded as
     * its own task to the target over HTTP/1.1 (a new upstream connection per concurrent stream, kept for the
     * stream's lifetime). The tunnel's first upstream connection is not used: it was opened before h2 was known.
     */
    public static void startH2(ServerContext context, String server, ChannelHandlerContext firstBytes, Channel upstream,
                               UpstreamAddr target, SslContext tls, String tlsName, Duration handshakeTimeout) {
        upstream.close();
        HttpRoute.Target route = new HttpRoute.Target("https", target, "", Optional.of(tls), tlsName, handshakeTimeout);
        HttpFrontSettings settings = settings(server, 1);
        var pipeline = firstBytes.pipeline();
        // the multiplexer finds its codec when added, so the codec goes in first
        pipeline.addAfter(firstBytes.name(), "h2-codec", Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings().maxHeaderListSize(MAX_HEADER_SIZE)
                        .maxConcurrentStreams(128))
                .build());
        pipeline.addAfter("h2-codec", "h2-mux", new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.pipeline().addLast(new Http2StreamFrameToHttpObjectCodec(true), CodecAnswersItsErrors.INSTANCE,
                        new HttpFrontHandler(settings, context, new Router(route, "h2_intercept")));
            }
        }));
        pipeline.addAfter("h2-mux", "h2-errors", CodecAnswersItsErrors.INSTANCE);
        pipeline.remove(firstBytes.handler());
    }

    /**
     * Netty's HTTP/2 codec fires each error down the pipeline before it answers it: a connection error on the
     * connection (then a GOAWAY with the error's code, and close), a stream error on the stream's channel (then a
     * RST_STREAM with its code). A handler after it that closed on the error would answer first, with NO_ERROR or
     * CANCEL: a client flooding resets would not learn it was cut off for ENHANCE_YOUR_CALM, and the resets a client
     * provokes with stream errors would not count towards the codec's limit on them (MadeYouReset, CVE-2025-55163).
     * The tasks end with the closes.
     */
    @Sharable
    private static final class CodecAnswersItsErrors extends ChannelInboundHandlerAdapter {
        static final CodecAnswersItsErrors INSTANCE = new CodecAnswersItsErrors();

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (!(cause instanceof Http2Exception)) {
                ctx.fireExceptionCaught(cause);
            }
        }
    }

    /** g3proxy's h1_interception defaults: header timeouts 30 s / 60 s, 5 min idle, 64 KiB headers. */
    private static HttpFrontSettings settings(String server, int pipeline) {
        return new HttpFrontSettings(server, Duration.ofSeconds(30), Duration.ofMinutes(5), pipeline,
                Duration.ofSeconds(60), MAX_HEADER_SIZE, UpstreamHeaders.AS_IS, HttpKeepAlive.DEFAULT,
                1024, HttpCustomHeaders.NONE, MAX_BODY_LINE, null);
    }

    /** Every request goes to the tunnel's target; inside a tunnel a request names a path, not a host. */
    private record Router(HttpRoute.Target tunnel, String taskType) implements HttpRouter {
        Router(HttpRoute.Target tunnel) {
            this(tunnel, "h1_intercept");
        }

        @Override
        public HttpRoute route(HttpRequest request) {
            // what Netty's HTTP/2 conversion adds for itself does not travel on
            for (var name : HttpConversionUtil.ExtensionHeaderNames.values()) {
                request.headers().remove(name.text());
            }
            HttpRequestChecks.check(request);
            if (HttpMethod.CONNECT.equals(request.method()) || !request.uri().startsWith("/")) {
                throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "requests inside a tunnel take a path");
            }
            return new HttpRoute.Forward(new HttpRoute.Target(tunnel.scheme(), tunnel.addr(), request.uri(),
                    tunnel.tls(), tunnel.tlsName(), tunnel.tlsHandshakeTimeout()), Optional.empty(), taskType);
        }
    }
}
