package io.g3k.dataplane.stat;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToLongFunction;

/**
 * Every counter of the process, by object name, kept across reloads (a reloaded server keeps counting), and the
 * one catalogue of metrics that both StatsD and Prometheus read: g3proxy's metric names, and for each the field
 * it reads.
 */
public final class Stats {
    public enum Kind { COUNTER, GAUGE }

    /** A metric: its g3proxy name (dotted), kind and how to read it from one object's stats. */
    public record Metric<S>(String name, Kind kind, ToLongFunction<S> value) {}

    /** A family: the tags naming an object (server; user_group, user, server; ...), its objects and metrics. */
    public record Family<S>(List<String> tags, Map<List<String>, S> objects, List<Metric<S>> metrics) {}

    private final String group;
    private final Map<List<String>, ServerStats> servers = new ConcurrentHashMap<>();
    private final Map<List<String>, EscaperStats> escapers = new ConcurrentHashMap<>();
    private final Map<List<String>, ResolverStats> resolvers = new ConcurrentHashMap<>();
    private final Map<List<String>, UserStats> users = new ConcurrentHashMap<>();
    private final Map<List<String>, UserStats> sites = new ConcurrentHashMap<>();
    private final List<Family<?>> families;

    public Stats(String group) {
        this.group = group;
        this.families = List.of(
                new Family<>(List.of("server"), servers, List.of(
                        counter("server.connection.total", (ServerStats s) -> s.connectionTotal.sum()),
                        counter("server.task.total", s -> s.taskTotal.sum()),
                        gauge("server.task.alive", s -> s.taskAlive.sum()),
                        counter("server.forbidden.auth_failed", s -> s.forbiddenAuthFailed.sum()),
                        counter("server.traffic.in.bytes", s -> s.trafficInBytes.sum()),
                        counter("server.traffic.out.bytes", s -> s.trafficOutBytes.sum()))),
                new Family<>(List.of("escaper"), escapers, List.of(
                        counter("escaper.task.total", (EscaperStats s) -> s.taskTotal.sum()),
                        counter("escaper.connection.attempt", s -> s.connectionAttempt.sum()),
                        counter("escaper.connection.establish", s -> s.connectionEstablish.sum()),
                        counter("escaper.tcp.connect.error", s -> s.tcpConnectError.sum()),
                        counter("escaper.tcp.connect.timeout", s -> s.tcpConnectTimeout.sum()),
                        counter("escaper.forbidden.ip_blocked", s -> s.forbiddenIpBlocked.sum()),
                        counter("escaper.traffic.in.bytes", s -> s.trafficInBytes.sum()),
                        counter("escaper.traffic.out.bytes", s -> s.trafficOutBytes.sum()))),
                new Family<>(List.of("resolver"), resolvers, List.of(
                        counter("resolver.query.total", (ResolverStats s) -> s.queryTotal.sum()),
                        counter("resolver.query.cached", s -> s.queryCached.sum()),
                        counter("resolver.query.failed", s -> s.queryFailed.sum()))),
                new Family<>(List.of("user_group", "user", "server"), users, userMetrics("user.")),
                new Family<>(List.of("user_group", "user", "server", "site"), sites, userMetrics("user.site.")));
    }

    private static List<Metric<UserStats>> userMetrics(String prefix) {
        return List.of(
                counter(prefix + "request.total", (UserStats s) -> s.requestTotal.sum()),
                gauge(prefix + "request.alive", s -> s.requestAlive.sum()),
                counter(prefix + "forbidden.dest_denied", s -> s.forbiddenDestDenied.sum()),
                counter(prefix + "forbidden.rate_limited", s -> s.forbiddenRateLimited.sum()),
                counter(prefix + "forbidden.fully_loaded", s -> s.forbiddenFullyLoaded.sum()),
                counter(prefix + "traffic.in.bytes", s -> s.trafficInBytes.sum()),
                counter(prefix + "traffic.out.bytes", s -> s.trafficOutBytes.sum()));
    }

    private static <S> Metric<S> counter(String name, ToLongFunction<S> value) {
        return new Metric<>(name, Kind.COUNTER, value);
    }

    private static <S> Metric<S> gauge(String name, ToLongFunction<S> value) {
        return new Metric<>(name, Kind.GAUGE, value);
    }

    public String group() {
        return group;
    }

    public List<Family<?>> families() {
        return families;
    }

    public ServerStats server(String name) {
        return servers.computeIfAbsent(List.of(name), n -> new ServerStats());
    }

    public EscaperStats escaper(String name) {
        return escapers.computeIfAbsent(List.of(name), n -> new EscaperStats());
    }

    public ResolverStats resolver(String name) {
        return resolvers.computeIfAbsent(List.of(name), n -> new ResolverStats());
    }

    public UserStats user(String group, String user, String server) {
        return users.computeIfAbsent(List.of(group, user, server), n -> new UserStats());
    }

    /** An explicit site's stats (only for sites with {@code emit_stats: true}). */
    public UserStats site(String group, String user, String server, String site) {
        return sites.computeIfAbsent(List.of(group, user, server, site), n -> new UserStats());
    }
}
