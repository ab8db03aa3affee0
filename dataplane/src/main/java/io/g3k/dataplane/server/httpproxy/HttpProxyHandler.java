package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.dataplane.server.ServerContext;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Reads proxy requests one at a time. Pipelined requests wait in a bounded queue until the current exchange has
 * answered, so responses can never be reordered. Checks, authentication and dispatch happen here; the exchange
 * classes do the CONNECT tunnel and the forwarding.
 */
final class HttpProxyHandler extends ChannelInboundHandlerAdapter {
    private final HttpProxyServerConfig config;
    private final ServerContext context;
    private final SslContext tlsClient;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private HttpExchange exchange;
    private boolean inBody;
    private boolean failed;
    private ScheduledFuture<?> deadline;
    private HttpForwardConnection upstream;

    HttpProxyHandler(HttpProxyServerConfig config, ServerContext context, SslContext tlsClient) {
        this.config = config;
        this.context = context;
        this.tlsClient = tlsClient;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armDeadline(ctx, config.reqHeaderRecvTimeout());
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (exchange != null && !(inBody && msg instanceof HttpContent)) {
            queued.add(msg);
            if (queued.size() > config.pipelineSize() * 64) {
                fail(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "too many pipelined requests");
            }
            return;
        }
        if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
        } else if (msg instanceof HttpContent content) {
            if (inBody) {
                inBody = !(content instanceof LastHttpContent);
                if (!inBody) {
                    ctx.channel().config().setAutoRead(false);
                }
                exchange.content(content);
            } else {
                content.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        cancelDeadline();
        HttpProxyRequest parsed;
        try {
            parsed = HttpProxyRequest.of(request, config.allowCustomHost());
        } catch (HttpRejection e) {
            fail(ctx, e.status, e.getMessage());
            return;
        }
        Optional<String> user = Optional.empty();
        if (context.userGroup().isPresent()) {
            user = authenticate(request);
            if (user.isEmpty()) {
                requireAuth(ctx);
                return;
            }
        }
        inBody = true;
        exchange = parsed.connect()
                ? new HttpConnectExchange(config.name(), ctx, this, context, parsed, user)
                : new HttpForwardExchange(ctx, this, config, context, tlsClient, parsed, request, user);
        exchange.start();
    }

    private Optional<String> authenticate(HttpRequest request) {
        String header = request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Optional.empty();
        }
        return context.userGroup().get().authenticate(decoded.substring(0, colon), decoded.substring(colon + 1));
    }

    private void requireAuth(ChannelHandlerContext ctx) {
        failed = true;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED, Unpooled.EMPTY_BUFFER);
        response.headers().set(HttpHeaderNames.PROXY_AUTHENTICATE, "Basic realm=\"" + config.authRealm() + "\"");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        HttpErrorReply.send(ctx, response);
    }

    /** Answers with an error and closes; whatever the client sent after it is never parsed. */
    void fail(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        failed = true;
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        HttpErrorReply.send(ctx, status, message);
    }

    /** The current exchange has answered in full; go on with the next queued request, or wait for one. */
    void exchangeDone(ChannelHandlerContext ctx, boolean keepAlive) {
        exchange = null;
        if (!keepAlive || !ctx.channel().isActive()) {
            failed = true;
            ctx.close();
            return;
        }
        armDeadline(ctx, config.pipelineReadIdleTimeout());
        while (exchange == null && !failed && !queued.isEmpty()) {
            channelRead(ctx, queued.poll());
        }
        if (exchange == null || inBody) {
            ctx.channel().config().setAutoRead(true);
            ctx.read();
        }
    }

    /** The exchange took the connection over (a CONNECT tunnel): this handler is done with it. */
    boolean takeOver(ChannelHandlerContext ctx) {
        if (!queued.isEmpty()) {
            fail(ctx, HttpResponseStatus.BAD_REQUEST, "data pipelined after CONNECT before the tunnel was up");
            return false;
        }
        cancelDeadline();
        closeUpstream();
        return true;
    }

    HttpForwardConnection upstream() {
        return upstream;
    }

    void upstream(HttpForwardConnection connection) {
        if (upstream != null && upstream != connection) {
            upstream.close();
        }
        upstream = connection;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        if (exchange != null) {
            exchange.clientClosed();
        }
        closeUpstream();
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.clientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void closeUpstream() {
        if (upstream != null) {
            upstream.close();
            upstream = null;
        }
    }

    private void armDeadline(ChannelHandlerContext ctx, Duration timeout) {
        cancelDeadline();
        deadline = ctx.executor().schedule(() -> {
            failed = true;
            ctx.close();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
