package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteQueryEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.util.MsgPackUdpClient;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code route_query}: asks the agent (one msgpack request per UDP datagram: id, user, host, client_ip) which next
 * escaper to use, caches the answer for its TTL (bounded), and falls back to {@code fallback_node} when the agent
 * is silent, answers with nothing allowed, or sends garbage.
 */
public final class RouteQueryEscaper extends RouteEscaper {
    private record Cached(String next, long expiresAtNanos) {}

    private final RouteQueryEscaperConfig config;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final MsgPackUdpClient agent;

    public RouteQueryEscaper(RouteQueryEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats, Transport transport) {
        super(config.name(), escapers, stats);
        this.config = config;
        this.agent = new MsgPackUdpClient(transport, config.queryPeerAddr(), RouteQueryEscaper::id);
    }

    /** The response id: 16 bytes of binary, or a UUID string. */
    private static Object id(Map<String, Object> response) {
        return switch (response.get("id")) {
            case byte[] bin when bin.length == 16 -> {
                ByteBuffer b = ByteBuffer.wrap(bin);
                yield new UUID(b.getLong(), b.getLong());
            }
            case String s -> {
                try {
                    yield UUID.fromString(s);
                } catch (IllegalArgumentException e) {
                    yield null;
                }
            }
            case null, default -> null;
        };
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        return connectVia(next(target, hints, loop), target, loop, hints);
    }

    /** The next escaper's name; never fails (the fallback node stands in). */
    private Future<String> next(UpstreamAddr target, EscapeHints hints, EventLoop loop) {
        String key = hints.user().orElse("") + "\u0000" + target.host();
        Cached cached = cache.get(key);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return loop.newSucceededFuture(cached.next());
        }
        UUID id = UUID.randomUUID();
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits()).array());
        request.put("user", hints.user().orElse(""));
        request.put("host", target.host());
        if (config.queryPassClientIp()) {
            hints.client().ifPresent(ip -> request.put("client_ip", ip.getHostAddress()));
        }
        Promise<String> out = loop.newPromise();
        agent.query(loop, id, request, config.queryWaitTimeout()).addListener((Future<Map<String, Object>> f) -> {
            Map<String, Object> response = f.getNow();
            String next = config.fallbackNode();
            long ttl = config.protectiveCacheTtl();
            if (response != null) {
                List<?> nodes = response.get("nodes") instanceof List<?> list ? list
                        : response.get("nodes") instanceof String s ? List.of(s) : List.of();
                next = nodes.stream().map(String::valueOf).filter(config.queryAllowedNext()::contains)
                        .findFirst().orElse(config.fallbackNode());
                if (response.get("ttl") instanceof Long t && t > 0) {
                    ttl = t;
                }
            }
            cache.put(key, new Cached(next, System.nanoTime()
                    + TimeUnit.SECONDS.toNanos(Math.min(config.maximumCacheTtl(), ttl))));
            out.trySuccess(next);
        });
        return out;
    }

    @Override
    public void close() {
        agent.close();
    }

    @Override
    String udpNext() {
        return config.fallbackNode();
    }
}
