package io.g3k.dataplane.server.socksproxy;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.SocksProxyServerConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.server.ClientAddress;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.task.IdleWatch;
import io.g3k.dataplane.task.Task;
import io.g3k.dataplane.limit.SpeedLimits;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.handler.codec.socksx.v5.DefaultSocks5CommandResponse;
import io.netty.handler.codec.socksx.v5.Socks5AddressType;
import io.netty.handler.codec.socksx.v5.Socks5CommandStatus;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SOCKS5 UDP ASSOCIATE. A client-facing UDP socket accepts datagrams only from the TCP client's IP (and port, once
 * known); each target passes the escaper's resolution and egress checks; replies are accepted only from peers the
 * client sent to. With {@code enable_udp_associate: false} the session is g3proxy's "UDP connect": one peer only.
 * Datagram payloads over the server's {@code udp_relay_packet_size} (4 KiB by default) are dropped either way.
 * The session lives as long as the TCP control connection, or until its server's idle check finds no datagram
 * relayed either way for that many intervals (reason {@code Idle}).
 */
final class SocksUdpAssociateTask {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    private final SocksProxyServerConfig config;
    private final ServerContext context;
    private final ChannelHandlerContext control;
    private final Task task;
    private final InetAddress clientIp;
    private final Map<UpstreamAddr, InetSocketAddress> resolved = new HashMap<>();
    private final Set<InetSocketAddress> peers = new HashSet<>();
    private InetSocketAddress clientAddr;
    private UpstreamAddr onlyPeer;
    private DatagramChannel clientSide;
    private DatagramChannel remoteSide;
    private CoarseTimer.Cancellable initialTimeout;
    private IdleWatch idleCheck;
    private long relayed; // datagrams relayed either way: the idle check's activity
    private final int packetSize;
    private boolean droppedOversized;
    private boolean ended;
    private final Optional<User> user;
    private final boolean associate; // false: g3proxy's "UDP connect", one peer only

    SocksUdpAssociateTask(SocksProxyServerConfig config, ServerContext context, ChannelHandlerContext control,
                          UserAdmission.Ticket ticket, int clientPort) {
        this.config = config;
        this.context = context;
        this.packetSize = config.base().copyBuffers().udpPacketSize();
        this.control = control;
        this.clientIp = ((InetSocketAddress) control.channel().remoteAddress()).getAddress();
        if (clientPort != 0) {
            clientAddr = new InetSocketAddress(clientIp, clientPort);
        }
        this.user = ticket.user();
        // a user's socks_use_udp_associate overrides the server's enable_udp_associate
        this.associate = user.flatMap(u -> u.config().socksUseUdpAssociate()).orElse(config.enableUdpAssociate());
        this.task = context.tasks().start(config.name(), associate ? "socks5_udp_associate" : "socks5_udp_connect",
                ClientAddress.of(control.channel())).upstream("-", context.escaper().name());
        ticket.own(task);
    }

    void start() {
        InetAddress local = ((InetSocketAddress) control.channel().localAddress()).getAddress();
        List<InetAddress> bindIps = local instanceof Inet4Address ? config.udpBindIpv4() : config.udpBindIpv6();
        InetAddress bindIp = bindIps.isEmpty() ? local
                : bindIps.get(ThreadLocalRandom.current().nextInt(bindIps.size()));
        EventLoop loop = control.channel().eventLoop();
        Bootstrap b = new Bootstrap().group(loop).channel(context.transport().datagramChannel(loop))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // the server's and the user's limits all apply to the client-facing socket
                        config.base().udpSockSpeedLimit().ifPresent(limit ->
                                ch.pipeline().addLast(SpeedLimits.udp(limit, SpeedLimits.Side.CLIENT)));
                        user.flatMap(User::udpSockSpeedLimit).ifPresent(limit ->
                                ch.pipeline().addLast(SpeedLimits.udp(limit, SpeedLimits.Side.CLIENT)));
                        user.flatMap(User::udpAllSpeedLimit).ifPresent(ch.pipeline()::addLast);
                        ch.pipeline().addLast(new ClientSide());
                    }
                });
        config.udpSocketBuffer().recv().ifPresent(size -> b.option(ChannelOption.SO_RCVBUF, (int) (long) size));
        config.udpSocketBuffer().send().ifPresent(size -> b.option(ChannelOption.SO_SNDBUF, (int) (long) size));
        UdpPortRangeBind.bind(b, bindIp, config.udpBindPortRange(), loop).addListener((Future<Channel> f) -> {
            if (!f.isSuccess()) {
                fail(Socks5CommandStatus.FAILURE, "cannot bind client UDP socket" + config.udpBindPortRange()
                        .map(r -> " in " + r).orElse("") + ": " + f.cause().getMessage());
                return;
            }
            clientSide = (DatagramChannel) f.getNow();
            context.escaper().udpBind(loop, new RemoteSide()).addListener((Future<DatagramChannel> r) -> remoteBound(r));
        });
    }

    private void remoteBound(Future<DatagramChannel> f) {
        if (!f.isSuccess()) {
            EscapeException e = EscapeException.of(f.cause());
            fail(SocksConnectTask.status(e), e.getMessage());
            return;
        }
        remoteSide = f.getNow();
        task.ready(Optional.empty());
        if (!control.channel().isActive()) {
            end("ClientClosed");
            return;
        }
        InetSocketAddress bound = clientSide.localAddress();
        InetAddress echo = transmuted(bound.getAddress());
        var reply = new DefaultSocks5CommandResponse(Socks5CommandStatus.SUCCESS,
                echo instanceof Inet4Address ? Socks5AddressType.IPv4 : Socks5AddressType.IPv6,
                echo.getHostAddress(), bound.getPort());
        control.writeAndFlush(reply).addListener(w -> {
            if (!w.isSuccess()) {
                end("ClientClosed");
                return;
            }
            var pipeline = control.pipeline();
            while (pipeline.first() != null) {
                pipeline.removeFirst();
            }
            pipeline.addLast("udp-control", new ControlWatch());
            control.channel().config().setAutoRead(true);
            control.channel().read();
            initialTimeout = CoarseTimer.after(control.executor(), config.udpClientInitialTimeout(),
                    () -> end("ClientTimeout"));
            idleCheck = IdleWatch.start(control.channel(), task, () -> relayed, () -> end("Idle"));
        });
    }

    private void fromClient(DatagramPacket packet) {
        InetSocketAddress sender = packet.sender();
        if (!sender.getAddress().equals(clientIp) || (clientAddr != null && !clientAddr.equals(sender))) {
            return;
        }
        clientAddr = sender;
        if (initialTimeout != null) {
            initialTimeout.cancel();
            initialTimeout = null;
        }
        ByteBuf buf = packet.content();
        UpstreamAddr target = Socks5UdpPacket.decode(buf);
        if (target == null || !context.dstFilters().permits(target)
                || (user.isPresent() && !user.get().permitsDestination(target)) || oversized(buf)) {
            return;
        }
        if (!associate) {
            if (onlyPeer == null) {
                onlyPeer = target;
                task.upstream(target, context.escaper().name());
            } else if (!onlyPeer.equals(target)) {
                return;
            }
        }
        ByteBuf payload = buf.retainedSlice();
        InetSocketAddress known = resolved.get(target);
        if (known != null) {
            sendRemote(payload, known);
            return;
        }
        context.escaper().udpResolve(target, control.channel().eventLoop()).addListener((Future<InetSocketAddress> f) -> {
            if (!f.isSuccess() || ended) {
                payload.release();
                return;
            }
            if (resolved.size() < 1024) {
                resolved.put(target, f.getNow());
            }
            sendRemote(payload, f.getNow());
        });
    }

    private void sendRemote(ByteBuf payload, InetSocketAddress to) {
        if (peers.size() < 4096) {
            peers.add(to);
        }
        relayed++;
        task.out(payload.readableBytes());
        remoteSide.writeAndFlush(new DatagramPacket(payload, to));
    }

    private void fromRemote(DatagramPacket packet) {
        if (clientAddr == null || !peers.contains(packet.sender()) || oversized(packet.content())) {
            return;
        }
        relayed++;
        task.in(packet.content().readableBytes());
        ByteBuf out = Unpooled.wrappedBuffer(Socks5UdpPacket.header(clientSide.alloc(), packet.sender()),
                packet.content().retain());
        clientSide.writeAndFlush(new DatagramPacket(out, clientAddr));
    }

    /**
     * The IP the ASSOCIATE reply names: the relay socket's own, or with {@code transmute_udp_echo_ip} the one mapped
     * to it, or unspecified (the client then sends where it sent the request) when it is not in the map.
     */
    private InetAddress transmuted(InetAddress local) {
        if (config.transmuteUdpEchoIp().isEmpty()) {
            return local;
        }
        InetAddress mapped = config.transmuteUdpEchoIp().get().get(local);
        if (mapped != null) {
            return mapped;
        }
        try {
            return InetAddress.getByAddress(new byte[local instanceof Inet4Address ? 4 : 16]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e); // a 4- or 16-byte address is always valid
        }
    }

    /**
     * A payload over {@code udp_relay_packet_size}: dropped, as it may have been cut short by the receive buffer
     * (which holds one byte more, so that a datagram that just fits is told from one that did not).
     */
    private boolean oversized(ByteBuf payload) {
        if (payload.readableBytes() <= packetSize) {
            return false;
        }
        if (!droppedOversized) {
            droppedOversized = true; // once a session: a sender of large datagrams sends many
            LOG.warn("server '{}': a UDP datagram over udp_relay_packet_size ({} bytes) was dropped, and so will be any "
                    + "more in this session (client {})", config.name(), packetSize, clientIp.getHostAddress());
        }
        return true;
    }

    /** Answers the ASSOCIATE with a failure, then ends (the reply goes out before the control connection closes). */
    private void fail(Socks5CommandStatus status, String reason) {
        if (!ended) {
            SocksNegotiationHandler.replyAndClose(control, SocksNegotiationHandler.failure5(status));
        }
        end(reason);
    }

    private void end(String reason) {
        if (ended) {
            return;
        }
        ended = true;
        if (initialTimeout != null) {
            initialTimeout.cancel();
        }
        if (idleCheck != null) {
            idleCheck.cancel();
        }
        for (Channel ch : new Channel[] {clientSide, remoteSide}) {
            if (ch != null) {
                ch.close();
            }
        }
        // after anything already written to it, such as a failure reply
        control.channel().writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        task.finish(reason);
    }

    private final class ClientSide extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            // before the first read: room for the largest SOCKS5 UDP header too
            ctx.channel().config().setRecvByteBufAllocator(
                    new FixedRecvByteBufAllocator(Socks5UdpPacket.MAX_HEADER + packetSize + 1));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            fromClient(packet);
        }
    }

    private final class RemoteSide extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            ctx.channel().config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(packetSize + 1));
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            fromRemote(packet);
        }
    }

    /** The TCP control connection only keeps the session alive; whatever it sends is discarded. */
    private final class ControlWatch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            end("ClientClosed");
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            end("ClientError: " + cause.getMessage());
        }
    }
}
