package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteQueryEscaperConfig;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.util.MsgPack;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
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
public final class RouteQueryEscaper implements Escaper {
    private record Cached(String next, long expiresAtNanos) {}

    private final RouteQueryEscaperConfig config;
    private final Function<String, Escaper> escapers;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();
    private final Map<UUID, Promise<String>> pending = new ConcurrentHashMap<>();
    /** TTLs the agent gave, from its answer to the cache entry. */
    private final Map<UUID, Long> ttls = new ConcurrentHashMap<>();
    private final Channel socket;

    public RouteQueryEscaper(RouteQueryEscaperConfig config, Function<String, Escaper> escapers, Transport transport) {
        this.config = config;
        this.escapers = escapers;
        // bound now, off the event loops (a worker must never wait for a bind)
        this.socket = new Bootstrap().group(transport.workers()).channel(transport.datagramChannel())
                .handler(new Responses()).bind(0).syncUninterruptibly().channel();
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Promise<Channel> result = loop.newPromise();
        next(target, hints, loop).addListener((Future<String> f) ->
                escapers.apply(f.getNow()).tcpConnect(target, loop, hints).addListener((Future<Channel> c) -> {
                    if (c.isSuccess()) {
                        result.trySuccess(c.getNow());
                    } else {
                        result.tryFailure(c.cause());
                    }
                }));
        return result;
    }

    /** The next escaper's name; never fails (the fallback node stands in). */
    private Future<String> next(UpstreamAddr target, EscapeHints hints, EventLoop loop) {
        String key = hints.user().orElse("") + "\u0000" + target.host();
        Cached cached = cache.get(key);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return loop.newSucceededFuture(cached.next());
        }
        Promise<String> answer = loop.newPromise();
        UUID id = UUID.randomUUID();
        pending.put(id, answer);
        Map<String, Object> request = new LinkedHashMap<>();
        request.put("id", ByteBuffer.allocate(16).putLong(id.getMostSignificantBits())
                .putLong(id.getLeastSignificantBits()).array());
        request.put("user", hints.user().orElse(""));
        request.put("host", target.host());
        if (config.queryPassClientIp()) {
            hints.client().ifPresent(ip -> request.put("client_ip", ip.getHostAddress()));
        }
        socket.writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(MsgPack.encode(request)),
                config.queryPeerAddr()));
        var timer = loop.schedule(() -> answer.trySuccess(config.fallbackNode()),
                config.queryWaitTimeout().toMillis(), TimeUnit.MILLISECONDS);
        answer.addListener(done -> {
            timer.cancel(false);
            pending.remove(id);
        });
        Promise<String> out = loop.newPromise();
        answer.addListener((Future<String> f) -> loop.execute(() -> out.trySuccess(f.getNow())));
        answer.addListener((Future<String> f) -> {
            String next = f.getNow();
            long ttl = ttls.getOrDefault(id, (long) config.protectiveCacheTtl());
            ttls.remove(id);
            cache.put(key, new Cached(next, System.nanoTime() + TimeUnit.SECONDS.toNanos(
                    Math.min(config.maximumCacheTtl(), ttl))));
        });
        return out;
    }

    /** Agent answers: {@code id} (16-byte binary or UUID string), {@code nodes} (string or list), {@code ttl}. */
    private final class Responses extends SimpleChannelInboundHandler<DatagramPacket> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (!packet.sender().equals(config.queryPeerAddr())) {
                return;
            }
            try {
                Map<String, Object> response = MsgPack.decodeMap(ByteBufUtil.getBytes(packet.content()));
                UUID id = switch (response.get("id")) {
                    case byte[] bin when bin.length == 16 -> {
                        ByteBuffer b = ByteBuffer.wrap(bin);
                        yield new UUID(b.getLong(), b.getLong());
                    }
                    case String s -> UUID.fromString(s);
                    case null, default -> null;
                };
                Promise<String> answer = id == null ? null : pending.get(id);
                if (answer == null) {
                    return;
                }
                if (response.get("ttl") instanceof Long ttl && ttl > 0) {
                    ttls.put(id, ttl);
                }
                List<?> nodes = response.get("nodes") instanceof List<?> list ? list
                        : response.get("nodes") instanceof String s ? List.of(s) : List.of();
                String chosen = nodes.stream().map(String::valueOf).filter(config.queryAllowedNext()::contains)
                        .findFirst().orElse(config.fallbackNode());
                answer.trySuccess(chosen);
            } catch (IllegalArgumentException malformed) {
                // garbage from the agent: the request times out to the fallback node
            }
        }
    }

    @Override
    public void close() {
        socket.close();
    }

    @Override
    public Future<InetSocketAddress> udpResolve(UpstreamAddr target, EventLoop loop) {
        return escapers.apply(config.fallbackNode()).udpResolve(target, loop);
    }

    @Override
    public Future<DatagramChannel> udpBind(EventLoop loop, ChannelHandler handler) {
        return escapers.apply(config.fallbackNode()).udpBind(loop, handler);
    }
}
