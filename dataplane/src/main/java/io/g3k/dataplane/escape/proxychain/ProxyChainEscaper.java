package io.g3k.dataplane.escape.proxychain;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.ProxyChainEscaperConfig;
import io.g3k.config.escaper.ProxyChainEscaperConfig.Protocol;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.ProxyProtocolHeader;
import io.g3k.dataplane.escape.EscapeException.Reason;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.escape.HttpProxyForward;
import io.g3k.dataplane.escape.NextProxy;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.runtime.TcpSocketOptions;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.limit.SpeedLimits;
import io.g3k.dataplane.util.CoarseTimer;
import io.g3k.dataplane.util.ConnectTimeout;
import io.g3k.dataplane.util.Errors;
import io.g3k.dataplane.util.Picker;
import io.g3k.dataplane.stat.EscaperStats;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.g3k.dataplane.tls.TlsTimeouts;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.Timeout;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * {@code proxy_http}, {@code proxy_https}, {@code proxy_socks5}: every task is a tunnel through the next proxy
 * (HTTP CONNECT or SOCKS5 CONNECT, Netty's proxy handlers), TLS to the proxy for https. The target name goes to
 * the next proxy unresolved, so it resolves and filters; as in g3proxy, no egress filter applies here. A next HTTP
 * proxy takes forwarded http requests (and https / ftp ones per {@code http_forward_capability}) as they are, on a
 * plain connection to it marked {@link HttpProxyForward}.
 */
public final class ProxyChainEscaper implements Escaper {
    /** The password g3proxy sends with a passed user id (its package name). */
    private static final String PASSED_USERID_PASSWORD = "g3proxy";
    private final ProxyChainEscaperConfig config;
    private final Resolver resolver;
    private final Transport transport;
    private final EscaperStats stats;
    private final Picker<UpstreamAddr> picker;
    private final SslContext tls;
    private final TcpSocketOptions.Adjustable socketOptions;

    public ProxyChainEscaper(ProxyChainEscaperConfig config, Resolver resolver, Transport transport, EscaperStats stats) {
        this.config = config;
        this.resolver = resolver;
        this.transport = transport;
        this.stats = stats;
        this.picker = Picker.of(config.proxyAddr());
        this.tls = config.tlsClient().map(t -> TlsClientContexts.build(t, "escaper '" + config.name() + "'")).orElse(null);
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
        UpstreamAddr proxy = picker.pick(hints.client().orElse(InetAddress.getLoopbackAddress()));
        stats.connectionAttempt.increment();
        proxyAddresses(proxy, loop).addListener((Future<List<InetSocketAddress>> f) -> {
            if (!f.isSuccess()) {
                result.tryFailure(f.cause());
                return;
            }
            boolean forward = hints.httpForwardScheme().map(this::mayForwardAsIs).orElse(false);
            open(new Attempts(f.getNow(), proxy, target, forward, credentials(hints),
                    socketOptions.forUser(hints.userKeepalive(), hints.userMiscOpts()), loop, result, hints), 0);
        });
        result.addListener(done -> {
            if (done.isSuccess()) {
                stats.connectionEstablish.increment();
                stats.tcpConnectSuccess.increment();
            } else {
                stats.tcpConnectError.increment();
            }
        });
        return result;
    }

    @Override
    public boolean mayForwardAsIs(String scheme) {
        var capability = config.httpForwardCapability();
        return (config.protocol() == Protocol.HTTP || config.protocol() == Protocol.HTTPS) && switch (scheme) {
            case "http" -> true;
            case "https" -> capability.forwardHttps();
            case "ftp" -> capability.forwardFtp();
            default -> false;
        };
    }

    /** Who this task is to the next proxy. */
    private record Credentials(String username, String password) {}

    /**
     * With {@code pass_proxy_userid}, the task's user, with g3proxy's fixed password ({@code g3proxy}: the next
     * proxy learns who the client is, not a secret); else the escaper's own {@code proxy_username}, if any.
     */
    private Optional<Credentials> credentials(EscapeHints hints) {
        if (config.passProxyUserid() && hints.user().isPresent()) {
            return Optional.of(new Credentials(hints.user().get(), PASSED_USERID_PASSWORD));
        }
        return config.username().map(u -> new Credentials(u, config.password().orElseThrow()));
    }

    /** One connection being made to the next proxy: its addresses, tried in turn, and what it is for. */
    private record Attempts(List<InetSocketAddress> addresses, UpstreamAddr proxy, UpstreamAddr target,
                            boolean forward, Optional<Credentials> credentials, TcpSocketOptions options,
                            EventLoop loop, Promise<Channel> result, EscapeHints hints) {}

    /**
     * Connects to the next proxy's {@code attempt}-th address; if the TCP connection cannot be made, the next one
     * ({@code tcp_connect}: at most {@code max_retry} more, each given {@code each_timeout}).
     */
    private void open(Attempts a, int attempt) {
        InetSocketAddress address = a.addresses().get(attempt);
        boolean last = attempt + 1 >= Math.min(a.addresses().size(), config.tcpConnect().maxAttempts());
        Runnable next = last ? null : () -> open(a, attempt + 1);
        if (a.forward()) {
            forwardConnect(address, a, next);
        } else {
            connect(address, a, next);
        }
    }

    private void forwardConnect(InetSocketAddress proxyAddress, Attempts a, Runnable next) {
        UpstreamAddr proxy = a.proxy();
        Optional<Credentials> credentials = a.credentials();
        Promise<Channel> result = a.result();
        connectSocket(bootstrap(proxy, proxyAddress, a, null), proxyAddress, proxy, result, next, config.tls())
                .addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                return;
            }
            Channel ch = f.channel();
            new HttpProxyForward(credentials.map(c ->
                    "Basic " + Base64.getEncoder().encodeToString((c.username() + ":" + c.password())
                            .getBytes(StandardCharsets.UTF_8)))).markOn(ch);
            NextProxy.markOn(ch);
            if (!config.tls()) {
                result.trySuccess(ch);
                return;
            }
            ch.pipeline().get(SslHandler.class).handshakeFuture().addListener(h -> {
                if (h.isSuccess()) {
                    result.trySuccess(ch);
                } else {
                    ch.close();
                    result.tryFailure(new EscapeException(Reason.TLS_FAILED, "TLS handshake with next proxy " + proxy
                            + " failed: " + Errors.rootMessage(h.cause())));
                }
            });
        });
    }

    private void connect(InetSocketAddress proxyAddress, Attempts a, Runnable next) {
        UpstreamAddr proxy = a.proxy();
        UpstreamAddr target = a.target();
        Optional<Credentials> credentials = a.credentials();
        Promise<Channel> result = a.result();
        ProxyHandler handshake = switch (config.protocol()) {
            case HTTP, HTTPS -> credentials.isPresent()
                    ? new HttpProxyHandler(proxyAddress, credentials.get().username(), credentials.get().password())
                    : new HttpProxyHandler(proxyAddress);
            case SOCKS5, SOCKS5S -> new Socks5ProxyHandler(proxyAddress,
                    credentials.map(Credentials::username).orElse(null), credentials.map(Credentials::password).orElse(null));
        };
        Duration timeout = config.peerNegotiationTimeout();
        handshake.setConnectTimeoutMillis(CoarseTimer.suits(timeout) ? 0 : timeout.toMillis()); // else boundNegotiation
        // Netty's proxy handler swaps this unresolved destination for the proxy's address and asks the proxy for it
        ChannelFuture connected = connectSocket(bootstrap(proxy, proxyAddress, a, handshake),
                InetSocketAddress.createUnresolved(target.host(), target.port()), proxy, result, next, true);
        handshake.connectFuture().addListener(done -> {
            if (connected.isDone() && !connected.isSuccess()) {
                return; // no TCP connection: connectSocket tries the next address or fails the task
            }
            Channel ch = connected.channel();
            if (done.isSuccess()) {
                ch.pipeline().remove(handshake);
                NextProxy.markOn(ch);
                result.trySuccess(ch);
            } else {
                ch.close();
                String message = String.valueOf(done.cause().getMessage());
                result.tryFailure(new EscapeException(message.contains("status: 403") ? Reason.DENIED : Reason.UNREACHABLE,
                        "via " + config.type() + " " + proxy + ": " + message));
            }
        });
    }

    /**
     * Connects the socket to the next proxy: counts it once established, and bounds what it {@code negotiates} (TLS,
     * a tunnel) with the next proxy; if it cannot be, tries {@code next} (the next address) or, with none left, fails
     * the task.
     */
    private ChannelFuture connectSocket(Bootstrap b, InetSocketAddress address, UpstreamAddr proxy,
                                       Promise<Channel> result, Runnable next, boolean negotiates) {
        return ConnectTimeout.connect(b, address, config.tcpConnect().eachTimeout()).addListener((ChannelFuture f) -> {
            if (f.isSuccess()) {
                stats.tcpConnectEstablish.increment();
                if (negotiates) {
                    boundNegotiation(f.channel(), proxy, result);
                }
            } else if (next != null) {
                next.run();
            } else {
                result.tryFailure(new EscapeException(Reason.CONNECT_REFUSED, "next proxy " + proxy + " unreachable: "
                        + f.cause().getMessage()));
            }
        });
    }

    /**
     * {@code peer_negotiation_timeout} from the TCP connection on, for TLS with the next proxy and the tunnel's
     * negotiation together, on the {@link CoarseTimer}: what Netty's proxy handler would time on the loop, with the
     * handshake of its SslHandler under it. A timeout under a second is left to their own timers.
     */
    private void boundNegotiation(Channel ch, UpstreamAddr proxy, Promise<Channel> result) {
        Duration timeout = config.peerNegotiationTimeout();
        if (!CoarseTimer.suits(timeout)) {
            return;
        }
        Timeout timer = CoarseTimer.schedule(ch.eventLoop(), () -> {
            SslHandler ssl = ch.pipeline().get(SslHandler.class);
            boolean inTls = ssl != null && !ssl.handshakeFuture().isDone();
            if (result.tryFailure(new EscapeException(inTls ? Reason.TLS_FAILED : Reason.UNREACHABLE,
                    (inTls ? "TLS handshake with next proxy " : "negotiation with next proxy ") + proxy
                            + " timed out after " + timeout.toMillis() + " ms"))) {
                if (inTls) {
                    TlsTimeouts.expire(ssl, ch, timeout);
                } else {
                    ch.close();
                }
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        result.addListener(done -> timer.cancel());
    }

    /**
     * A connection to the next proxy (at {@code address}, from {@code bind_ipv4} / {@code bind_ipv6} when set): TLS
     * first for the over-TLS types, then the tunnel handshake when given.
     */
    private Bootstrap bootstrap(UpstreamAddr proxy, InetSocketAddress address, Attempts a, ProxyHandler handshake) {
        stats.tcpConnectAttempt.increment();
        Bootstrap b = transport.tcpBootstrap(a.loop(), a.forward()) // forwarded requests, not a tunnel
                // the target name must reach the next proxy as a name: never resolve it here (nor leak it to DNS)
                .resolver(NoopAddressResolverGroup.INSTANCE)
                .option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        config.tcpSockSpeedLimit().ifPresent(limit ->
                                SpeedLimits.addTcp(ch, "speed-limit", limit, SpeedLimits.Side.REMOTE));
                        // before all: it opens the connection, ahead of the TLS handshake with the next proxy
                        config.useProxyProtocol().ifPresent(version -> ProxyProtocolHeader.add(ch, version, a.hints()));
                        if (config.tls()) {
                            SslHandler ssl = tls.newHandler(ch.alloc(), config.tlsName().orElse(proxy.host()), proxy.port());
                            ssl.handshakeFuture().addListener(h -> stats.tlsHandshake(h.cause()));
                            TlsTimeouts.addTimedByCaller(ch, ssl, config.peerNegotiationTimeout(),
                                    (pipeline, handler) -> pipeline.addLast("proxy-tls", handler));
                        }
                        if (handshake != null) {
                            ch.pipeline().addLast("proxy-handshake", handshake);
                        }
                    }
                });
        (address.getAddress() instanceof Inet4Address ? config.bindIpv4() : config.bindIpv6())
                .ifPresent(ip -> b.localAddress(ip, 0));
        return a.options().applyTo(b); // after the defaults above: tcp_misc_opts may turn no_delay off
    }

    /** The next proxy's addresses: its IP, or what its name resolves to (IPv4), in the resolver's order. */
    private Future<List<InetSocketAddress>> proxyAddresses(UpstreamAddr proxy, EventLoop loop) {
        Promise<List<InetSocketAddress>> out = loop.newPromise();
        var ip = proxy.ip();
        if (ip.isPresent()) {
            return out.setSuccess(List.of(new InetSocketAddress(ip.get(), proxy.port())));
        }
        resolver.query(proxy.host(), Resolver.Family.IPV4).whenComplete((List<InetAddress> r, Throwable e) ->
                loop.execute(() -> {
                    if (e != null || r.isEmpty()) {
                        out.tryFailure(new EscapeException(Reason.RESOLVE_FAILED, "cannot resolve next proxy " + proxy));
                    } else {
                        out.trySuccess(r.stream().map(a -> new InetSocketAddress(a, proxy.port())).toList());
                    }
                }));
        return out;
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return loop.newFailedFuture(new EscapeException(Reason.DENIED, config.type() + " does not relay UDP"));
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return loop.newFailedFuture(new EscapeException(Reason.DENIED, config.type() + " does not relay UDP"));
    }
}
