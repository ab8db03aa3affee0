package io.g3k.dataplane.escape.directfixed;

import io.g3k.config.ResolveStrategy;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.escape.ProxyProtocolHeader;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.runtime.TcpSocketOptions;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.stat.EscaperStats;
import io.g3k.dataplane.util.ConnectTimeout;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.g3k.dataplane.limit.SpeedLimits;
import io.netty.channel.ChannelInitializer;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/** {@code direct_fixed}: resolve, filter every address through the egress filter, then happy-eyeballs connect. */
public final class DirectFixedEscaper implements Escaper {
    private final DirectFixedEscaperConfig config;
    private final Transport transport;
    private final TargetAddresses addresses;

    private final EscaperStats stats;
    private final TcpSocketOptions.Adjustable socketOptions;
    /** direct_float: the published bind IPs and when each expires. */
    private volatile List<FloatingIp> floating = List.of();

    private record FloatingIp(InetAddress ip, java.time.Instant expire) {}

    public DirectFixedEscaper(DirectFixedEscaperConfig config, Resolver resolver, Transport transport,
                              EscaperStats stats) {
        this.config = config;
        this.stats = stats;
        this.transport = transport;
        this.addresses = new TargetAddresses(config, resolver);
        this.socketOptions = new TcpSocketOptions.Adjustable(config.tcpKeepalive(), config.tcpMiscOpts(), transport.kind(),
                "escaper '" + config.name() + "'");
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Promise<Channel> result = loop.newPromise();
        addresses.lookup(target, loop, hints.strategy().orElse(config.resolveStrategy())).addListener((Future<List<InetAddress>> f) -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            List<InetAddress> candidates = f.getNow();
            int attempts = Math.min(candidates.size(), config.tcpConnect().maxAttempts());
            stats.connectionAttempt.increment();
            TcpSocketOptions options = socketOptions.forUser(hints.userKeepalive(), hints.userMiscOpts());
            new HappyEyeballsConnect(candidates.subList(0, attempts), target.port(),
                    (l, remote) -> ConnectTimeout.connect(bootstrap(l, remote.getAddress(), options, hints), remote,
                            config.tcpConnect().eachTimeout()), loop, config.connectionAttemptDelay(),
                    result).start();
        });
        result.addListener(done -> {
            if (done.isSuccess()) {
                stats.connectionEstablish.increment();
                stats.tcpConnectEstablish.increment();
                stats.tcpConnectSuccess.increment();
            } else {
                countFailure(done.cause());
            }
        });
        return result;
    }

    private void countFailure(Throwable cause) {
        switch (EscapeException.of(cause).reason()) {
            case FORBIDDEN_ADDRESS -> stats.forbiddenIpBlocked.increment();
            case CONNECT_TIMEOUT -> stats.tcpConnectTimeout.increment();
            case CONNECT_REFUSED, UNREACHABLE -> stats.tcpConnectError.increment();
            default -> { }
        }
    }

    /** Whether its connections open with a PROXY protocol header for their client ({@code use_proxy_protocol}). */
    public boolean sendsProxyProtocol() {
        return config.useProxyProtocol().isPresent();
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        Promise<InetSocketAddress> result = loop.newPromise();
        addresses.lookup(target, loop, config.resolveStrategy()).addListener((Future<List<InetAddress>> f) -> {
            if (f.isSuccess()) {
                result.trySuccess(new InetSocketAddress(f.getNow().getFirst(), target.port()));
            } else {
                result.tryFailure(f.cause());
            }
        });
        return result;
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        Promise<DatagramChannel> result = loop.newPromise();
        InetSocketAddress local = bindIp(config.resolveStrategy().query() != ResolveStrategy.Query.IPV6_ONLY)
                .map(ip -> new InetSocketAddress(ip, 0)).orElse(new InetSocketAddress(0));
        ChannelHandler limited = config.udpSockSpeedLimit().<ChannelHandler>map(limit -> new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(SpeedLimits.udp(limit, SpeedLimits.Side.REMOTE), handler);
            }
        }).orElse(handler);
        new Bootstrap().group(loop).channel(transport.datagramChannel(loop)).handler(limited).bind(local)
                .addListener(f -> {
                    if (f.isSuccess()) {
                        result.trySuccess((DatagramChannel) ((io.netty.channel.ChannelFuture) f).channel());
                    } else {
                        result.tryFailure(new EscapeException(EscapeException.Reason.UNREACHABLE,
                                "cannot bind UDP socket: " + f.cause().getMessage()));
                    }
                });
        return result;
    }

    /** What Bootstrap needs as a handler when there is none: it removes itself, so no message passes through it. */
    private static final ChannelHandler NO_HANDLER = new ChannelInitializer<Channel>() {
        @Override
        protected void initChannel(Channel ch) {}
    };

    /**
     * One connect attempt (happy eyeballs may make several per task); a forwarded request's connection
     * ({@code httpForwardScheme} in the hints) reads the way HTTP does ({@link Transport#tcpBootstrap}).
     */
    private Bootstrap bootstrap(EventLoop loop, InetAddress remote, TcpSocketOptions socketOptions, EscapeHints hints) {
        stats.tcpConnectAttempt.increment();
        boolean plain = config.tcpSockSpeedLimit().isEmpty() && config.useProxyProtocol().isEmpty();
        Bootstrap b = transport.tcpBootstrap(loop, hints.httpForwardScheme().isPresent())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .handler(plain ? NO_HANDLER : new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        config.tcpSockSpeedLimit().ifPresent(limit ->
                                SpeedLimits.addTcp(ch, "speed-limit", limit, SpeedLimits.Side.REMOTE));
                        config.useProxyProtocol().ifPresent(version -> ProxyProtocolHeader.add(ch, version, hints));
                    }
                });
        bindIp(remote instanceof Inet4Address).ifPresent(ip -> b.localAddress(ip, 0));
        return socketOptions.applyTo(b);
    }

    @Override
    public String publish(String json) {
        if (!config.floating()) {
            return Escaper.super.publish(json);
        }
        List<FloatingIp> ips = new java.util.ArrayList<>();
        try {
            var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
            for (String family : List.of("ipv4", "ipv6")) {
                var node = root.path(family);
                var items = node.isArray() ? node : (node.isMissingNode() || node.isNull() ? null : List.of(node));
                if (items == null) {
                    continue;
                }
                for (var item : items) {
                    String ip = item.isTextual() ? item.asText() : item.path("ip").asText();
                    java.time.Instant expire = item.hasNonNull("expire") ? java.time.Instant.parse(item.get("expire").asText())
                            : java.time.Instant.MAX;
                    InetAddress address = io.g3k.config.IpLiteral.require(ip);
                    if ((address instanceof Inet4Address) != family.equals("ipv4")) {
                        throw new IllegalArgumentException(ip + " is not an " + family + " address");
                    }
                    ips.add(new FloatingIp(address, expire));
                }
            }
        } catch (java.io.IOException | java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("invalid publish data: " + e.getMessage());
        }
        floating = List.copyOf(ips);
        return ips.size() + " bind IPs";
    }

    private Optional<InetAddress> bindIp(boolean ipv4) {
        java.time.Instant now = java.time.Instant.now();
        List<InetAddress> source = config.floating()
                ? floating.stream().filter(f -> f.expire().isAfter(now)).map(FloatingIp::ip).toList()
                : config.bindIps();
        List<InetAddress> matching = source.stream()
                .filter(ip -> (ip instanceof Inet4Address) == ipv4).toList();
        return matching.isEmpty() ? Optional.empty()
                : Optional.of(matching.get(ThreadLocalRandom.current().nextInt(matching.size())));
    }
}
