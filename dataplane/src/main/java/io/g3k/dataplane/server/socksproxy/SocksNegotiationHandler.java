package io.g3k.dataplane.server.socksproxy;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.SocksProxyServerConfig;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.socksx.SocksMessage;
import io.netty.handler.codec.socksx.v4.DefaultSocks4CommandResponse;
import io.netty.handler.codec.socksx.v4.Socks4CommandRequest;
import io.netty.handler.codec.socksx.v4.Socks4CommandStatus;
import io.netty.handler.codec.socksx.v4.Socks4CommandType;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5InitialResponse;
import io.netty.handler.codec.socksx.v5.DefaultSocks5PasswordAuthResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5AuthMethod;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequest;
import io.netty.handler.codec.socksx.v5.Socks5CommandRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.handler.codec.socksx.v5.Socks5CommandType;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequest;
import io.netty.handler.codec.socksx.v5.Socks5InitialRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequest;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthRequestDecoder;
import io.netty.handler.codec.socksx.v5.Socks5PasswordAuthStatus;
import io.netty.util.Timeout;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * SOCKS negotiation: method selection, RFC 1929 username/password, the command. Adds the checks Netty's codec
 * leaves out (empty or NUL-bearing domains, port 0, unknown commands and address types get a proper failure reply
 * before the close) and closes connections that do not finish negotiating within {@code negotiation_timeout}.
 */
final class SocksNegotiationHandler extends SimpleChannelInboundHandler<SocksMessage> {
    private final SocksProxyServerConfig config;
    private final ServerContext context;
    private Timeout deadline;
    private Optional<User> user = Optional.empty();

    SocksNegotiationHandler(SocksProxyServerConfig config, ServerContext context) {
        this.config = config;
        this.context = context;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        // added behind a port server, the channel is active already and channelActive will not come
        if (ctx.channel().isActive()) {
            armDeadline(ctx);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armDeadline(ctx);
        ctx.fireChannelActive();
    }

    private void armDeadline(ChannelHandlerContext ctx) {
        deadline = CoarseTimer.schedule(ctx.executor(), () -> {
            if (deadline != null) { // still negotiating
                ctx.close();
            }
        }, config.negotiationTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelDeadline();
        ctx.fireChannelInactive();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, SocksMessage msg) {
        switch (msg) {
            case Socks5InitialRequest init -> onInitial(ctx, init);
            case Socks5PasswordAuthRequest auth -> onPassword(ctx, auth);
            case Socks5CommandRequest command -> onCommand5(ctx, command);
            case Socks4CommandRequest command -> onCommand4(ctx, command);
            default -> ctx.close();
        }
    }

    private void onInitial(ChannelHandlerContext ctx, Socks5InitialRequest init) {
        Socks5AuthMethod wanted = context.userGroup().isPresent() ? Socks5AuthMethod.PASSWORD : Socks5AuthMethod.NO_AUTH;
        if (!init.decoderResult().isSuccess() || !init.authMethods().contains(wanted)) {
            replyAndClose(ctx, new DefaultSocks5InitialResponse(Socks5AuthMethod.UNACCEPTED));
            return;
        }
        ctx.pipeline().replace(Socks5InitialRequestDecoder.class, "socks5-next",
                wanted == Socks5AuthMethod.PASSWORD ? new Socks5PasswordAuthRequestDecoder()
                        : new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5InitialResponse(wanted));
    }

    private void onPassword(ChannelHandlerContext ctx, Socks5PasswordAuthRequest auth) {
        if (!auth.decoderResult().isSuccess() || context.userGroup().isEmpty()) {
            replyAndClose(ctx, new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE));
            return;
        }
        user = context.userGroup().get().authenticate(auth.username(), auth.password(),
                UserAdmission.refusals(context, config.name()));
        if (user.isPresent() && !UserAdmission.connection(context, config.name(), "socks", ctx.channel(), user.get())) {
            replyAndClose(ctx, new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE));
            return;
        }
        if (user.isEmpty()) {
            context.stats().forbiddenAuthFailed.increment();
            replyAndClose(ctx, new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.FAILURE));
            return;
        }
        ctx.pipeline().replace("socks5-next", "socks5-command", new Socks5CommandRequestDecoder());
        ctx.writeAndFlush(new DefaultSocks5PasswordAuthResponse(Socks5PasswordAuthStatus.SUCCESS));
    }

    private void onCommand5(ChannelHandlerContext ctx, Socks5CommandRequest command) {
        if (!command.decoderResult().isSuccess()) {
            replyAndClose(ctx, failure5(Socks5CommandStatus.ADDRESS_UNSUPPORTED));
            return;
        }
        Socks5CommandType type = command.type();
        if (!type.equals(Socks5CommandType.CONNECT) && !type.equals(Socks5CommandType.UDP_ASSOCIATE)) {
            replyAndClose(ctx, failure5(Socks5CommandStatus.COMMAND_UNSUPPORTED));
            return;
        }
        boolean udp = type.equals(Socks5CommandType.UDP_ASSOCIATE);
        UpstreamAddr target;
        try {
            // a UDP ASSOCIATE names the client's own sending address, which may be all zeros
            target = udp ? null : new UpstreamAddr(command.dstAddr(), requirePort(command.dstPort()));
        } catch (IllegalArgumentException e) {
            replyAndClose(ctx, failure5(Socks5CommandStatus.FAILURE));
            return;
        }
        UserAdmission.Ticket ticket;
        try {
            ticket = UserAdmission.admit(context, config.name(), user, target, ctx.channel(),
                    udp ? "socks_udp_associate" : "socks_tcp_connect");
        } catch (UserAdmission.Refused e) {
            e.answer(ctx, () -> replyAndClose(ctx, failure5(Socks5CommandStatus.FORBIDDEN)));
            return;
        }
        cancelDeadline();
        ctx.channel().config().setAutoRead(false);
        if (udp) {
            new SocksUdpAssociateTask(config, context, ctx, ticket, command.dstPort()).start();
        } else {
            new SocksConnectTask(config.name(), context, ctx, ticket, true).start();
        }
    }

    private void onCommand4(ChannelHandlerContext ctx, Socks4CommandRequest command) {
        // SOCKS4 has no password: with a user group configured it is refused
        if (!command.decoderResult().isSuccess() || context.userGroup().isPresent()
                || !command.type().equals(Socks4CommandType.CONNECT)) {
            replyAndClose(ctx, new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED));
            return;
        }
        UpstreamAddr target;
        try {
            target = new UpstreamAddr(command.dstAddr(), requirePort(command.dstPort()));
        } catch (IllegalArgumentException e) {
            replyAndClose(ctx, new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED));
            return;
        }
        UserAdmission.Ticket ticket;
        try {
            ticket = UserAdmission.admit(context, config.name(), Optional.empty(), target, ctx.channel(),
                    "socks_tcp_connect");
        } catch (UserAdmission.Refused e) {
            replyAndClose(ctx, new DefaultSocks4CommandResponse(Socks4CommandStatus.REJECTED_OR_FAILED));
            return;
        }
        cancelDeadline();
        ctx.channel().config().setAutoRead(false);
        new SocksConnectTask(config.name(), context, ctx, ticket, false).start();
    }

    private static int requirePort(int port) {
        if (port == 0) {
            throw new IllegalArgumentException("port 0");
        }
        return port;
    }

    static DefaultSocks5CommandResponse failure5(Socks5CommandStatus status) {
        return new DefaultSocks5CommandResponse(status, Socks5AddressType.IPv4);
    }

    static void replyAndClose(ChannelHandlerContext ctx, Object reply) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel();
            deadline = null;
        }
    }
}
