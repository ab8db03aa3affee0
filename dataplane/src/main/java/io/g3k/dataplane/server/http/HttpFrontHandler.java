package io.g3k.dataplane.server.http;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.tls.TlsServerContext;
import io.g3k.dataplane.util.LazyDeadline;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP/1 front shared by http_proxy and http_rproxy: reads requests one at a time (pipelined requests wait in
 * a bounded queue until the current exchange has answered, so responses are never reordered), asks the server's
 * {@link HttpRouter} what to do, and runs the exchange. Header and idle deadlines close slow clients.
 * Reading stays on while an exchange runs (turning it off and on per request costs two epoll_ctl calls); it stops
 * only when a pipelined request has to wait. A client that half-closes after its request still gets the answer.
 */
public final class HttpFrontHandler extends ChannelInboundHandlerAdapter {
    private final HttpFrontSettings config;
    private final ServerContext context;
    private final HttpRouter router;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private HttpExchange exchange;
    private boolean inBody;
    private boolean failed;
    private boolean inputShutdown;
    private LazyDeadline deadline;
    private Runnable closeOnDeadline;
    private HttpForwardConnection upstream;
    private ChannelHandlerContext rawOut;
    private boolean rawOutFound;

    public HttpFrontHandler(HttpFrontSettings config, ServerContext context, HttpRouter router) {
        this.config = config;
        this.context = context;
        this.router = router;
    }

    /**
     * An HTTP/1 server's connection pipeline: TLS first when the server terminates it ({@code tls} may be null),
     * Netty's strict codec with the server's header limit, then the front.
     */
    public static void install(Channel ch, TlsServerContext tls, int reqHeaderMaxSize, HttpFrontSettings config,
                               ServerContext context, HttpRouter router) {
        if (tls != null) {
            tls.addTo(ch);
        }
        HttpCodecs.addServer(ch.pipeline(), null, reqHeaderMaxSize);
        ch.pipeline().addLast("http-front", new HttpFrontHandler(config, context, router));
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // added behind a port server, the channel is active already and channelActive will not come
        if (ctx.channel().isActive()) {
            begin(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        begin(ctx);
        ctx.fireChannelActive();
    }

    private void begin(ChannelHandlerContext ctx) {
        if (deadline != null) {
            return; // an accepted channel is active already when added, and channelActive still follows
        }
        if (ctx.channel() instanceof DuplexChannel) { // an HTTP/2 stream ends its request without half-closing
            ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        }
        deadline = new LazyDeadline(ctx.executor());
        closeOnDeadline = () -> {
            failed = true;
            ctx.close();
        };
        deadline.arm(config.reqHeaderRecvTimeout(), closeOnDeadline);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (failed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (exchange != null && !(inBody && msg instanceof HttpContent)) {
            queued.add(msg);
            ctx.channel().config().setAutoRead(false);
            if (queued.size() > config.pipelineSize() * 64) {
                fail(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "too many pipelined requests");
            }
            return;
        }
        if (msg instanceof FullHttpRequest full) {
            // an HTTP/2 stream's request that ended with its headers: the exchange takes head and body apart
            HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
            head.setDecoderResult(full.decoderResult());
            channelRead(ctx, head);
            channelRead(ctx, new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
        } else if (msg instanceof HttpRequest request) {
            onRequest(ctx, request);
        } else if (msg instanceof HttpContent content) {
            if (inBody) {
                inBody = !(content instanceof LastHttpContent);
                exchange.content(content);
            } else {
                content.release();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(ChannelHandlerContext ctx, HttpRequest request) {
        deadline.cancel();
        if (rawOut(ctx) != null) {
            ((HttpCodecs.ResponseEncoder) rawOut.handler()).answering(request.method());
        }
        HttpRoute route;
        try {
            route = router.route(request);
        } catch (HttpRejection e) {
            fail(ctx, e.status, e.getMessage());
            return;
        }
        switch (route) {
            case HttpRoute.Reply reply -> {
                // replies without forwarding are authentication challenges
                context.stats().forbiddenAuthFailed.increment();
                failed = true;
                HttpErrorReply.send(ctx, reply.response());
            }
            case HttpRoute.Drop drop -> {
                failed = true;
                ctx.close();
            }
            case HttpRoute.Connect connect -> {
                UserAdmission.Ticket ticket = admit(ctx, connect.user(), connect.target(), "http_connect", null);
                if (ticket != null) {
                    inBody = true;
                    exchange = new HttpConnectExchange(config, ctx, this, context, ticket);
                    exchange.start();
                }
            }
            case HttpRoute.Forward forward -> {
                // a reverse proxy's request is an HTTP forward to g3proxy's proxy_request_filter
                UserAdmission.Ticket ticket = admit(ctx, forward.user(), forward.target().addr(),
                        forward.taskType().equals("http_rproxy") ? "http_forward" : forward.taskType(),
                        userAgents(forward.user(), request));
                if (ticket != null) {
                    inBody = true;
                    exchange = new HttpForwardExchange(ctx, this, config, context, forward.target(), request, ticket,
                            forward.taskType());
                    exchange.start();
                }
            }
        }
    }

    /** The request's {@code User-Agent} values where the user filters them, else null (nothing read per request). */
    private static List<String> userAgents(Optional<User> user, HttpRequest request) {
        return user.isPresent() && user.get().config().httpUserAgentFilter().isPresent()
                ? request.headers().getAll(HttpHeaderNames.USER_AGENT) : null;
    }

    /**
     * The user's connection and task limits; null (after answering 403 / 429, a blocked user's after its
     * {@code block_and_delay}) when the task may not run.
     */
    private UserAdmission.Ticket admit(ChannelHandlerContext ctx, Optional<User> user, UpstreamAddr target,
                                       String kind, List<String> userAgents) {
        if (user.isPresent() && !UserAdmission.connection(context, config.server(), "http", ctx.channel(), user.get())) {
            fail(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "connection rate limit reached");
            return null;
        }
        try {
            return UserAdmission.admit(context, config.server(), user, target, ctx.channel(), kind, userAgents);
        } catch (UserAdmission.Refused e) {
            HttpResponseStatus status = switch (e.reason) {
                case RATE_LIMITED, FULLY_LOADED -> HttpResponseStatus.TOO_MANY_REQUESTS;
                default -> HttpResponseStatus.FORBIDDEN;
            };
            String message = switch (e.reason) {
                case USER_BLOCKED -> "user blocked";
                case SRC_BLOCKED -> "client address not allowed for this user";
                case PROTO_BANNED -> "request kind not allowed for this user";
                case UA_BLOCKED -> "user agent not allowed for this user";
                case DEST_DENIED -> "destination not allowed";
                case RATE_LIMITED -> "request rate limit reached";
                case FULLY_LOADED -> "too many requests in progress";
            };
            failed = true; // no pipelined request behind it runs, even while a blocked user's refusal waits
            e.answer(ctx, () -> fail(ctx, status, message));
            return null;
        }
    }

    /** Answers with an error and closes; whatever the client sent after it is never parsed. */
    void fail(ChannelHandlerContext ctx, HttpResponseStatus status, String message) {
        reply(ctx, HttpErrorReply.response(status, message));
    }

    /** Answers with this response (an error of ours, or an ICAP service's) and closes, as {@link #fail} does. */
    void reply(ChannelHandlerContext ctx, io.netty.handler.codec.http.FullHttpResponse response) {
        failed = true;
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        HttpErrorReply.send(ctx, response);
    }

    /** The current exchange has answered in full; go on with the next queued request, or wait for one. */
    void exchangeDone(ChannelHandlerContext ctx, boolean keepAlive) {
        exchange = null;
        if (!keepAlive || !ctx.channel().isActive()) {
            failed = true;
            // the upstream connection goes to the pool now, not when the close is done: on io_uring that waits for
            // the socket's cancelled reads, and meanwhile new clients found the pool empty and connected anew
            closeUpstream();
            ctx.close();
            return;
        }
        deadline.arm(config.idleTimeout(), closeOnDeadline);
        // the next request, and its body as far as it came
        while (!failed && !queued.isEmpty()
                && (exchange == null || inBody && queued.peek() instanceof HttpContent)) {
            channelRead(ctx, queued.poll());
        }
        if (failed) {
            return;
        }
        if (inputShutdown) {
            if (exchange == null || inBody) {
                failed = true; // every request the client sent is answered; nothing more will come
                ctx.close();
            }
            return;
        }
        if (exchange == null || inBody) {
            clientReads(ctx, true);
        }
    }

    /** Reading from the client on or off (back-pressure); never back on once it half-closed: epoll refuses that. */
    void clientReads(ChannelHandlerContext ctx, boolean on) {
        if (on && inputShutdown || ctx.channel().config().isAutoRead() == on) {
            return;
        }
        ctx.channel().config().setAutoRead(on);
        if (on) {
            ctx.read();
        }
    }

    /** The exchange took the connection over (a CONNECT tunnel): this handler is done with it. */
    boolean takeOver(ChannelHandlerContext ctx) {
        if (!queued.isEmpty()) {
            fail(ctx, HttpResponseStatus.BAD_REQUEST, "data pipelined after CONNECT before the tunnel was up");
            return false;
        }
        deadline.stop();
        closeUpstream();
        // the tunnel's own handlers expect a client's FIN to close the channel until a relay says otherwise
        ctx.channel().config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        return true;
    }

    /** As {@link #takeOver}, for a request whose upstream connection switched protocols and stays as the tunnel. */
    boolean takeOverUpgraded(ChannelHandlerContext ctx) {
        upstream = null;
        return takeOver(ctx);
    }

    /**
     * The connection's one deadline: for the request header, then (armed by a forward exchange) for the response
     * header, then for the next request while idle.
     */
    LazyDeadline deadline() {
        return deadline;
    }

    /**
     * Where a response relayed as raw bytes is written: the context of the HTTP/1 response encoder, so the bytes
     * go out behind it and unchanged. Null on an HTTP/2 stream, whose responses must be objects.
     */
    ChannelHandlerContext rawOut(ChannelHandlerContext ctx) {
        if (!rawOutFound) { // looked up at the first request: the pipeline is complete by then (interception adds
            rawOutFound = true; // the codec after this handler)
            rawOut = ctx.pipeline().context(HttpCodecs.ResponseEncoder.class);
        }
        return rawOut;
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
        if (deadline != null) {
            deadline.stop();
        }
        queued.forEach(ReferenceCountUtil::release);
        queued.clear();
        if (exchange != null) {
            exchange.clientClosed();
        }
        closeUpstream();
        ctx.fireChannelInactive();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            // idle, or in the middle of a request body that will never end: nothing is left to answer
            if (exchange == null && queued.isEmpty() || inBody) {
                failed = true;
                ctx.close();
            }
        }
        ctx.fireUserEventTriggered(evt);
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
            if (config.upstreamPool() != null && upstream.idleAndShareable()) {
                config.upstreamPool().offer(upstream);
            } else {
                upstream.close();
            }
            upstream = null;
        }
    }

}
