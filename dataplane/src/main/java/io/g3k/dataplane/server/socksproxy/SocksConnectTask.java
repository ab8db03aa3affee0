package io.g3k.dataplane.server.socksproxy;

import java.util.Optional;
import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.audit.TunnelAudit;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.task.Task;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.socksx.v4.DefaultSocks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.concurrent.Future;
import java.net.Inet4Address;
import java.net.InetSocketAddress;

/** SOCKS4/4a/5 CONNECT: reach the target through the escaper, reply, then relay bytes. */
final class SocksConnectTask {
    private final ServerContext context;
    private final ChannelHandlerContext ctx;
    private final UpstreamAddr target;
    private final boolean v5;
    private final Task task;
    private final String server;

    private final UserAdmission.Ticket ticket;

    SocksConnectTask(String server, ServerContext context, ChannelHandlerContext ctx, UserAdmission.Ticket ticket,
                     boolean v5) {
        this.context = context;
        this.ctx = ctx;
        this.ticket = ticket;
        this.target = ticket.target();
        this.server = server;
        this.v5 = v5;
        this.task = context.tasks().start(server, v5 ? "socks5_tcp_connect" : "socks4_tcp_connect",
                ClientAddress.of(ctx.channel())).upstream(target, context.escaper().name());
        ticket.own(task);
    }

    void start() {
        context.escaper().tcpConnect(target, ctx.channel().eventLoop(), ticket.hints(ctx.channel())).addListener((Future<Channel> f) -> connected(f));
    }

    private void connected(Future<Channel> f) {
        if (!f.isSuccess()) {
            EscapeException e = EscapeException.of(f.cause());
            task.finish(e.reason() + ": " + e.getMessage());
            SocksNegotiationHandler.replyAndClose(ctx, v5 ? SocksNegotiationHandler.failure5(status(e))
                    : new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED));
            return;
        }
        task.ready(Optional.empty());
        Channel upstream = f.getNow();
        if (!ctx.channel().isActive()) {
            upstream.close();
            task.finish("ClientClosed");
            return;
        }
        InetSocketAddress bound = (InetSocketAddress) upstream.localAddress();
        Object reply = v5
                ? new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                        bound.getAddress() instanceof Inet4Address ? Socks5AddressType.IPv4 : Socks5AddressType.IPv6,
                        bound.getAddress().getHostAddress(), bound.getPort())
                : new DefaultSocks4CommandResponse(Socks4CommandStatus.SUCCESS);
        TunnelAudit.afterReply(context, server, ctx, reply, upstream, task, target, ticket.audit());
    }

    static Socks5CommandStatus status(EscapeException e) {
        return switch (e.reason()) {
            case DENIED, FORBIDDEN_ADDRESS -> Socks5CommandStatus.FORBIDDEN;
            case RESOLVE_FAILED, CONNECT_TIMEOUT -> Socks5CommandStatus.HOST_UNREACHABLE;
            case CONNECT_REFUSED -> Socks5CommandStatus.CONNECTION_REFUSED;
            case UNREACHABLE, TLS_FAILED -> Socks5CommandStatus.NETWORK_UNREACHABLE;
        };
    }
}
