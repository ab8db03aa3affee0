package io.g3k.dataplane.stat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Every counter of the process, by object, kept across reloads (a reloaded server keeps counting), and the one
 * catalogue of metrics that both StatsD and Prometheus read: g3proxy's metric names and tags, and for each the
 * field it reads. A name holding {@value #SITE} (explicit sites) carries that tag in the StatsD name, as g3proxy
 * does ({@code user.site.<id>.request.total}); Prometheus keeps it a label.
 */
public final class Stats {
    public static final String SITE = "{site}";

    public enum Kind { COUNTER, GAUGE }

    /** A metric: its g3proxy name (dotted), kind and how to read it from one object's stats. */
    public record Metric<S>(String name, Kind kind, ToLongFunction<S> value) {}

    /** A family: the tags naming an object, its objects by tag values, and its metrics. */
    public record Family<S>(List<String> tags, Map<List<String>, S> objects, List<Metric<S>> metrics) {}

    /** Who a user is in tags: group, name and {@code Static} / {@code Dynamic}. */
    public record UserKey(String group, String user, String type) {
        List<String> with(String... more) {
            List<String> key = new ArrayList<>(List.of(group, user, type));
            key.addAll(List.of(more));
            return List.copyOf(key);
        }
    }

    private static final List<String> USER = List.of("user_group", "user", "user_type");

    private final String group;
    private final Map<List<String>, ServerStats> servers = new ConcurrentHashMap<>();
    private final Map<List<String>, TrafficStats> serverTraffic = new ConcurrentHashMap<>();
    private final Map<List<String>, EscaperStats> escapers = new ConcurrentHashMap<>();
    private final Map<List<String>, TrafficStats> escaperTraffic = new ConcurrentHashMap<>();
    private final Map<List<String>, RouteStats> routes = new ConcurrentHashMap<>();
    private final Map<List<String>, ResolverStats> resolvers = new ConcurrentHashMap<>();
    private final Map<List<String>, ResolverMemoryStats> resolverMemory = new ConcurrentHashMap<>();
    private final Map<List<String>, UserForbiddenStats> userForbidden = new ConcurrentHashMap<>();
    private final Map<List<String>, UserRequestStats> userRequests = new ConcurrentHashMap<>();
    private final Map<List<String>, UserConnectionStats> userConnections = new ConcurrentHashMap<>();
    private final Map<List<String>, TrafficStats> userUpstream = new ConcurrentHashMap<>();
    private final Map<List<String>, UserRequestStats> siteRequests = new ConcurrentHashMap<>();
    private final Map<List<String>, TrafficStats> siteUpstream = new ConcurrentHashMap<>();
    private final List<Family<?>> families;
    // every task looks its server and escaper up by name: a String key hashes once, a List.of key every time
    private final Map<String, ServerStats> serverByName = new ConcurrentHashMap<>();
    private final Map<String, EscaperStats> escaperByName = new ConcurrentHashMap<>();
    private volatile Map<String, Map<String, String>> serverTags = Map.of();
    private volatile Map<String, Map<String, String>> escaperTags = Map.of();

    public Stats(String group) {
        this.group = group;
        this.families = List.of(
                new Family<>(List.of("server"), servers, ServerStats.metrics()),
                new Family<>(List.of("server", "transport"), serverTraffic, TrafficStats.metrics("server.traffic.")),
                new Family<>(List.of("escaper"), escapers, EscaperStats.metrics()),
                new Family<>(List.of("escaper", "transport"), escaperTraffic, TrafficStats.metrics("escaper.traffic.")),
                new Family<>(List.of("escaper"), routes, RouteStats.metrics()),
                new Family<>(List.of("resolver", "rr_type"), resolvers, ResolverStats.metrics()),
                new Family<>(List.of("resolver"), resolverMemory, ResolverMemoryStats.metrics()),
                new Family<>(tags("server"), userForbidden, UserForbiddenStats.metrics()),
                new Family<>(tags("server", "request"), userRequests, UserRequestStats.metrics("user.")),
                new Family<>(tags("server", "connection"), userConnections, UserConnectionStats.metrics()),
                new Family<>(tags("escaper", "transport"), userUpstream, TrafficStats.metrics("user.upstream.traffic.")),
                new Family<>(tags("server", "request", "site"), siteRequests,
                        UserRequestStats.metrics("user.site." + SITE + ".")),
                new Family<>(tags("escaper", "transport", "site"), siteUpstream,
                        TrafficStats.metrics("user.site." + SITE + ".upstream.traffic.")));
    }

    private static List<String> tags(String... more) {
        List<String> out = new ArrayList<>(USER);
        out.addAll(List.of(more));
        return List.copyOf(out);
    }

    static <S> Metric<S> counter(String name, ToLongFunction<S> value) {
        return new Metric<>(name, Kind.COUNTER, value);
    }

    static <S> Metric<S> gauge(String name, ToLongFunction<S> value) {
        return new Metric<>(name, Kind.GAUGE, value);
    }

    private static String transport(boolean udp) {
        return udp ? "udp" : "tcp";
    }

    /** Each server's and escaper's {@code extra_metrics_tags}, as the running config has them. */
    public void extraTags(Map<String, Map<String, String>> servers, Map<String, Map<String, String>> escapers) {
        serverTags = Map.copyOf(servers);
        escaperTags = Map.copyOf(escapers);
    }

    /**
     * The extra tags of one object of a family: those of the server it names (users' families included), else of
     * the escaper it names.
     */
    public Map<String, String> extraTags(Family<?> family, List<String> key) {
        int server = family.tags().indexOf("server");
        if (server >= 0) {
            return serverTags.getOrDefault(key.get(server), Map.of());
        }
        int escaper = family.tags().indexOf("escaper");
        return escaper >= 0 ? escaperTags.getOrDefault(key.get(escaper), Map.of()) : Map.of();
    }

    /** Every extra tag name that can appear on a family's objects now (sorted, for stable label names). */
    public List<String> extraTagNames(Family<?> family) {
        var owners = family.tags().contains("server") ? serverTags
                : family.tags().contains("escaper") ? escaperTags : Map.<String, Map<String, String>>of();
        return owners.values().stream().flatMap(t -> t.keySet().stream()).distinct().sorted().toList();
    }

    public String group() {
        return group;
    }

    public List<Family<?>> families() {
        return families;
    }

    public ServerStats server(String name) {
        return byName(serverByName, name, n -> servers.computeIfAbsent(List.of(n), k -> new ServerStats(
                serverTraffic.computeIfAbsent(List.of(n, "tcp"), t -> new TrafficStats()),
                serverTraffic.computeIfAbsent(List.of(n, "udp"), t -> new TrafficStats()))));
    }

    public EscaperStats escaper(String name) {
        return byName(escaperByName, name, n -> escapers.computeIfAbsent(List.of(n), k -> new EscaperStats(
                escaperTraffic.computeIfAbsent(List.of(n, "tcp"), t -> new TrafficStats()),
                escaperTraffic.computeIfAbsent(List.of(n, "udp"), t -> new TrafficStats()))));
    }

    /** A plain lookup first: computeIfAbsent costs more even when the entry is there, and this runs per task. */
    private static <S> S byName(Map<String, S> cache, String name, java.util.function.Function<String, S> create) {
        S known = cache.get(name);
        return known != null ? known : cache.computeIfAbsent(name, create);
    }

    public RouteStats route(String escaper) {
        return routes.computeIfAbsent(List.of(escaper), n -> new RouteStats());
    }

    /** A resolver's stats for one record type ({@code A} or {@code AAAA}). */
    public ResolverStats resolver(String name, String rrType) {
        return resolvers.computeIfAbsent(List.of(name, rrType), n -> new ResolverStats());
    }

    public ResolverMemoryStats resolverMemory(String name) {
        return resolverMemory.computeIfAbsent(List.of(name), n -> new ResolverMemoryStats());
    }

    public UserForbiddenStats userForbidden(UserKey user, String server) {
        return userForbidden.computeIfAbsent(user.with(server), n -> new UserForbiddenStats());
    }

    public UserRequestStats userRequest(UserKey user, String server, String request) {
        return userRequests.computeIfAbsent(user.with(server, request), n -> new UserRequestStats());
    }

    public UserConnectionStats userConnection(UserKey user, String server, String connection) {
        return userConnections.computeIfAbsent(user.with(server, connection), n -> new UserConnectionStats());
    }

    public TrafficStats userUpstream(UserKey user, String escaper, boolean udp) {
        return userUpstream.computeIfAbsent(user.with(escaper, transport(udp)), n -> new TrafficStats());
    }

    /** An explicit site's request stats (only for sites with {@code emit_stats: true}). */
    public UserRequestStats siteRequest(UserKey user, String server, String request, String site) {
        return siteRequests.computeIfAbsent(user.with(server, request, site), n -> new UserRequestStats());
    }

    public TrafficStats siteUpstream(UserKey user, String escaper, boolean udp, String site) {
        return siteUpstream.computeIfAbsent(user.with(escaper, transport(udp), site), n -> new TrafficStats());
    }
}
