package io.g3k.dataplane.server.http;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import java.util.Optional;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP/1 front shared by http_proxy and http_rproxy: reads requests one at a time (pipelined requests wait in
 * a bounded queue until the current exchange has answered, so responses are never reordered), asks the server's
 * {@link HttpRouter} what to do, and runs the exchange. Header and idle deadlines close slow clients.
 */
public final class HttpFrontHandler extends ChannelInboundHandlerAdapter {
    private final HttpFrontSettings config;
    private final ServerContext context;
    private final HttpRouter router;
    private final ArrayDeque<Object> queued = new ArrayDeque<>();
    private HttpExchange exchange;
    private boolean inBody;
    private boolean failed;
    private ScheduledFuture<?> deadline;
    private HttpForwardConnection upstream;

    public HttpFrontHandler(HttpFrontSettings config, ServerContext context, HttpRouter router) {
        this.config = config;
        this.context = context;
        this.router = router;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // added behind a port server, the channel is active already and channelActive will not come
        if (ctx.channel().isActive()) {
            armDeadline(ctx, config.reqHeaderRecvTimeout());
        }
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
                UserAdmission.Ticket ticket = admit(ctx, connect.user(), connect.target());
                if (ticket != null) {
                    inBody = true;
                    exchange = new HttpConnectExchange(config.server(), ctx, this, context, ticket);
                    exchange.start();
                }
            }
            case HttpRoute.Forward forward -> {
                UserAdmission.Ticket ticket = admit(ctx, forward.user(), forward.target().addr());
                if (ticket != null) {
                    inBody = true;
                    exchange = new HttpForwardExchange(ctx, this, config, context, forward.target(), request, ticket,
                            forward.taskType());
                    exchange.start();
                }
            }
        }
    }

    /** The user's connection and task limits; null (after answering 403 / 429) when the task may not run. */
    private UserAdmission.Ticket admit(ChannelHandlerContext ctx, Optional<User> user, UpstreamAddr target) {
        if (user.isPresent() && !UserAdmission.connection(context, config.server(), "http", ctx.channel(), user.get())) {
            fail(ctx, HttpResponseStatus.TOO_MANY_REQUESTS, "connection rate limit reached");
            return null;
        }
        try {
            return UserAdmission.admit(context, config.server(), user, target);
        } catch (UserAdmission.Refused e) {
            fail(ctx, e.reason == User.Denial.DEST_DENIED ? HttpResponseStatus.FORBIDDEN
                    : HttpResponseStatus.TOO_MANY_REQUESTS, switch (e.reason) {
                        case DEST_DENIED -> "destination not allowed for this user";
                        case RATE_LIMITED -> "request rate limit reached";
                        case FULLY_LOADED -> "too many requests in progress";
                    });
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
            ctx.close();
            return;
        }
        armDeadline(ctx, config.idleTimeout());
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
