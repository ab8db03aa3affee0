package io.g3k.dataplane.escape.route;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.RouteGeoIpEscaperConfig;
import io.g3k.config.escaper.RouteGeoIpEscaperConfig.Rule;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeHints;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.stat.RouteStats;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.util.MsgPackUdpClient;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import java.net.InetAddress;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * {@code route_geoip}: resolves the target, matches local networks first, then asks the IP locate service for
 * the address's country, continent and AS number (cached for the answer's TTL); no location means
 * {@code default_next}.
 */
public final class RouteGeoIpEscaper extends RouteEscaper {
    /** A location from the service; keys by name or by the protocol's numeric ids. */
    private record Location(String country, String continent, Long asNumber, long expiresAtNanos) {}

    private final RouteGeoIpEscaperConfig config;
    private final Function<String, Resolver> resolvers;
    private final MsgPackUdpClient locator;
    private final Map<InetAddress, Location> cache = new ConcurrentHashMap<>();

    public RouteGeoIpEscaper(RouteGeoIpEscaperConfig config, Function<String, Escaper> escapers, RouteStats stats,
                             Function<String, Resolver> resolvers, Transport transport) {
        super(config.name(), escapers, stats);
        this.config = config;
        this.resolvers = resolvers;
        this.locator = new MsgPackUdpClient(transport, config.ipLocatePeer(), r -> field(r, "ip", "1"));
    }

    private static Object field(Map<String, Object> map, String name, String id) {
        return map.containsKey(name) ? map.get(name) : map.get(id);
    }

    @Override
    public Future<Channel> tcpConnect(UpstreamAddr target, EventLoop loop, EscapeHints hints) {
        Promise<String> pick = loop.newPromise();
        address(target, loop).addListener((Future<InetAddress> a) -> {
            if (a.isSuccess()) {
                PromiseNotifier.cascade(next(a.getNow(), loop), pick);
            } else {
                pick.tryFailure(a.cause());
            }
        });
        return connectVia(pick, target, loop, hints);
    }

    private Future<InetAddress> address(UpstreamAddr target, EventLoop loop) {
        Promise<InetAddress> out = loop.newPromise();
        if (target.ip().isPresent()) {
            return out.setSuccess(target.ip().get());
        }
        resolvers.apply(config.resolver()).query(target.host(), Resolver.Family.IPV4)
                .whenComplete((ips, e) -> loop.execute(() -> {
                    if (e != null || ips.isEmpty()) {
                        out.tryFailure(new EscapeException(EscapeException.Reason.RESOLVE_FAILED,
                                "cannot resolve " + target.host() + " to route it"));
                    } else {
                        out.trySuccess(ips.getFirst());
                    }
                }));
        return out;
    }

    private Future<String> next(InetAddress ip, EventLoop loop) {
        for (Rule rule : config.rules()) {
            if (rule.networks().stream().anyMatch(n -> n.contains(ip))) {
                return loop.newSucceededFuture(rule.next());
            }
        }
        if (config.rules().stream().noneMatch(Rule::needsLocation)) {
            return loop.newSucceededFuture(config.defaultNext());
        }
        Promise<String> out = loop.newPromise();
        locate(ip, loop).addListener((Future<Location> f) -> {
            Location where = f.getNow();
            String next = config.defaultNext();
            if (where != null) {
                for (Rule rule : config.rules()) {
                    if ((where.country() != null && rule.countries().contains(where.country()))
                            || (where.continent() != null && rule.continents().contains(where.continent()))
                            || (where.asNumber() != null && rule.asNumbers().contains(where.asNumber()))) {
                        next = rule.next();
                        break;
                    }
                }
            }
            out.trySuccess(next);
        });
        return out;
    }

    private Future<Location> locate(InetAddress ip, EventLoop loop) {
        Location cached = cache.get(ip);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            return loop.newSucceededFuture(cached);
        }
        Promise<Location> out = loop.newPromise();
        locator.query(loop, ip.getHostAddress(), Map.of("ip", ip.getHostAddress()), config.queryWaitTimeout())
                .addListener((Future<Map<String, Object>> f) -> {
                    Map<String, Object> r = f.getNow();
                    if (r == null) {
                        out.trySuccess(null);
                        return;
                    }
                    long ttl = field(r, "ttl", "2") instanceof Long t && t > 0 ? t : config.defaultExpireTtl();
                    Location where = new Location(upper(field(r, "country", "4")), upper(field(r, "continent", "5")),
                            field(r, "as_number", "6") instanceof Long asn ? asn : null,
                            System.nanoTime() + TimeUnit.SECONDS.toNanos(ttl));
                    cache.put(ip, where);
                    out.trySuccess(where);
                });
        return out;
    }

    private static String upper(Object value) {
        return value instanceof String s ? s.toUpperCase(Locale.ROOT) : null;
    }

    @Override
    public void close() {
        locator.close();
    }

    @Override
    String udpNext() {
        return config.defaultNext();
    }
}
