package io.g3k.dataplane.server.http;

import io.g3k.config.server.HttpCustomHeaders;
import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.audit.TunnelAudit;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.task.Task;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import java.util.Optional;

/** CONNECT: reach the target through the escaper, answer 200, then hand both sockets to a byte relay. */
final class HttpConnectExchange implements HttpExchange {
    private static final HttpResponseStatus ESTABLISHED = new HttpResponseStatus(200, "Connection established");

    private final ChannelHandlerContext ctx;
    private final HttpFrontHandler handler;
    private final ServerContext context;
    private final UpstreamAddr target;
    private final Task task;
    private final String server;
    private final HttpCustomHeaders customHeaders;

    private final UserAdmission.Ticket ticket;

    HttpConnectExchange(HttpFrontSettings settings, ChannelHandlerContext ctx, HttpFrontHandler handler,
                        ServerContext context, UserAdmission.Ticket ticket) {
        this.ctx = ctx;
        this.handler = handler;
        this.context = context;
        this.target = ticket.target();
        this.server = settings.server();
        this.customHeaders = settings.customHeaders();
        this.ticket = ticket;
        this.task = context.tasks().start(server, "http_connect",
                ClientAddress.of(ctx.channel())).upstream(target, context.escaper().name());
        ticket.own(task);
    }

    @Override
    public void start() {
        ctx.channel().config().setAutoRead(false);
        context.escaper().tcpConnect(target, ctx.channel().eventLoop(), ticket.hints(ctx.channel())).addListener((Future<Channel> f) -> connected(f));
    }

    private void connected(Future<Channel> f) {
        if (!f.isSuccess()) {
            EscapeException e = EscapeException.of(f.cause());
            task.finish(e.reason() + ": " + e.getMessage());
            handler.fail(ctx, HttpErrorReply.statusOf(e), e.getMessage());
            return;
        }
        task.ready(Optional.empty());
        Channel upstream = f.getNow();
        if (!ctx.channel().isActive() || !handler.takeOver(ctx)) {
            upstream.close();
            task.finish("ClientClosed");
            return;
        }
        var reply = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, ESTABLISHED, Unpooled.EMPTY_BUFFER);
        CustomResponseHeaders.addTo(reply.headers(), customHeaders, upstream);
        TunnelAudit.afterReply(context, server, ctx, reply, upstream, task, target, ticket.audit());
    }

    @Override
    public void content(HttpContent content) {
        content.release();
    }

    @Override
    public void clientClosed() {
        task.finish("ClientClosed");
    }
}
