package io.g3k.dataplane.escape.proxychain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.g3k.config.Keys;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpConnect;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.ProxyChainEscaperConfig;
import io.g3k.config.escaper.ProxyChainEscaperConfig.Protocol;
import io.g3k.config.escaper.ProxyFloatEscaperConfig;
import io.g3k.config.server.StreamUpstream;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.resolve.DenyAllResolver;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.stat.EscaperStats;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.DatagramChannel;
import io.netty.util.concurrent.Future;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code proxy_float}: the next proxies are published at run time (JSON peers with type, addr, credentials,
 * expire). Each task goes through a random peer that is not about to expire (the expire guard); with none left,
 * tasks are refused.
 */
public final class ProxyFloatEscaper implements Escaper {
    private record Peer(ProxyChainEscaper escaper, Instant expire) {}

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyFloatEscaperConfig config;
    private final Transport transport;
    private final EscaperStats stats;
    private volatile List<Peer> peers = List.of();
    private io.netty.util.concurrent.ScheduledFuture<?> refresher;

    public ProxyFloatEscaper(ProxyFloatEscaperConfig config, Transport transport, EscaperStats stats) {
        this.config = config;
        this.transport = transport;
        this.stats = stats;
        config.redis().ifPresent(redis -> {
            long ms = config.refreshInterval().toMillis();
            refresher = transport.workers().scheduleWithFixedDelay(() -> Thread.ofVirtual().start(() -> refresh(redis)),
                    0, ms, java.util.concurrent.TimeUnit.MILLISECONDS);
        });
    }

    @Override
    public void close() {
        if (refresher != null) {
            refresher.cancel(false);
        }
    }

    /** Re-reads the peers from redis; on any error the peers loaded before stay. */
    private void refresh(ProxyFloatEscaperConfig.RedisSource redis) {
        try {
            publish("[" + String.join(",", RedisPeers.members(redis)) + "]");
        } catch (IOException | IllegalArgumentException e) {
            org.slf4j.LoggerFactory.getLogger("g3k").debug("proxy_float '{}': redis refresh failed: {}",
                    config.name(), e.getMessage());
        }
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public String publish(String json) {
        List<Peer> next = new ArrayList<>();
        try {
            JsonNode root = JSON.readTree(json);
            for (JsonNode item : root.isArray() ? root : List.of(root)) {
                next.add(peer(item));
            }
        } catch (IOException | DateTimeParseException e) {
            throw new IllegalArgumentException("invalid peer data: " + e.getMessage());
        }
        peers = List.copyOf(next);
        return next.size() + " peers";
    }

    private Peer peer(JsonNode item) {
        Protocol protocol = switch (Keys.normalize(item.path("type").asText(""))) {
            case "http" -> Protocol.HTTP;
            case "https" -> Protocol.HTTPS;
            case "socks5" -> Protocol.SOCKS5;
            case "socks5s" -> Protocol.SOCKS5S;
            default -> throw new IllegalArgumentException("peer type must be http, https, socks5 or socks5s");
        };
        UpstreamAddr addr = UpstreamAddr.parse(item.path("addr").asText(""), -1);
        if (addr.ip().isEmpty()) {
            throw new IllegalArgumentException("peer addr must be an IP address and port");
        }
        Optional<String> user = Optional.ofNullable(item.path("username").textValue());
        Optional<String> password = Optional.ofNullable(item.path("password").textValue());
        boolean tls = protocol == Protocol.HTTPS || protocol == Protocol.SOCKS5S;
        var chain = new ProxyChainEscaperConfig(config.name(), protocol,
                new StreamUpstream(List.of(new StreamUpstream.Weighted(addr, 1)), StreamUpstream.PickPolicy.RANDOM,
                        Optional.empty(), Optional.empty()), Optional.empty(), user, password,
                tls ? Optional.of(config.tlsClient()) : Optional.empty(),
                Optional.ofNullable(item.path("tls_name").textValue()), config.peerNegotiationTimeout(),
                ProxyChainEscaperConfig.HttpForwardCapability.NONE, item.hasNonNull("tcp_sock_speed_limit")
                        ? Optional.of(SocketSpeedLimit.tcp(item.get("tcp_sock_speed_limit"))) : Optional.empty(),
                config.extraMetricsTags(), config.tcpKeepalive(), config.tcpMiscOpts(), Optional.empty(),
                Optional.empty(), false, new TcpConnect(0, config.peerNegotiationTimeout()),
                Optional.empty());
        Instant expire = item.hasNonNull("expire") ? Instant.parse(item.get("expire").asText()) : Instant.MAX;
        return new Peer(new ProxyChainEscaper(chain, new DenyAllResolver("-"), transport, stats), expire);
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Instant usable = Instant.now().plus(config.expireGuard());
        List<Peer> alive = peers.stream().filter(p -> p.expire().isAfter(usable)).toList();
        if (alive.isEmpty()) {
            return loop.newFailedFuture(new EscapeException(EscapeException.Reason.UNREACHABLE,
                    "proxy_float '" + config.name() + "' has no unexpired peer"));
        }
        return alive.get(ThreadLocalRandom.current().nextInt(alive.size())).escaper().tcpConnect(target, loop, hints);
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return loop.newFailedFuture(new EscapeException(EscapeException.Reason.DENIED, "proxy_float does not relay UDP"));
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return loop.newFailedFuture(new EscapeException(EscapeException.Reason.DENIED, "proxy_float does not relay UDP"));
    }
}
