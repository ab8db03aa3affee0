package io.g3k.dataplane.runtime;

import io.g3k.config.G3Config;
import io.g3k.config.audit.AuditorConfig;
import io.g3k.config.StatConfig;
import io.g3k.config.auth.UserGroupConfig;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.config.escaper.DummyDenyEscaperConfig;
import io.g3k.config.escaper.EscaperConfig;
import io.g3k.config.escaper.ProxyChainEscaperConfig;
import io.g3k.config.escaper.ProxyFloatEscaperConfig;
import io.g3k.config.escaper.RouteFailoverEscaperConfig;
import io.g3k.config.escaper.RouteByNetworkEscaperConfig;
import io.g3k.config.escaper.RouteGeoIpEscaperConfig;
import io.g3k.config.escaper.RouteQueryEscaperConfig;
import io.g3k.config.escaper.RouteSelectEscaperConfig;
import io.g3k.config.escaper.RouteUpstreamEscaperConfig;
import io.g3k.config.resolver.CAresResolverConfig;
import io.g3k.config.resolver.DenyAllResolverConfig;
import io.g3k.config.resolver.FailOverResolverConfig;
import io.g3k.config.resolver.HickoryResolverConfig;
import io.g3k.config.resolver.ResolverConfig;
import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.config.server.HttpRProxyServerConfig;
import io.g3k.config.server.IntelliProxyServerConfig;
import io.g3k.config.server.PortServerConfig;
import io.g3k.config.server.ServerConfig;
import io.g3k.config.server.SniProxyServerConfig;
import io.g3k.config.server.SocksProxyServerConfig;
import io.g3k.config.server.TcpStreamServerConfig;
import io.g3k.config.server.TlsStreamServerConfig;
import io.g3k.dataplane.audit.Auditor;
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.escape.directfixed.DirectFixedEscaper;
import io.g3k.dataplane.escape.dummydeny.DummyDenyEscaper;
import io.g3k.dataplane.escape.proxychain.ProxyChainEscaper;
import io.g3k.dataplane.escape.proxychain.ProxyFloatEscaper;
import io.g3k.dataplane.escape.route.RouteFailoverEscaper;
import io.g3k.dataplane.escape.route.RouteByNetworkEscaper;
import io.g3k.dataplane.escape.route.RouteGeoIpEscaper;
import io.g3k.dataplane.escape.route.RouteQueryEscaper;
import io.g3k.dataplane.escape.route.RouteSelectEscaper;
import io.g3k.dataplane.escape.route.RouteUpstreamEscaper;
import io.g3k.dataplane.resolve.CAresResolver;
import io.g3k.dataplane.resolve.DenyAllResolver;
import io.g3k.dataplane.resolve.FailOverResolver;
import io.g3k.dataplane.resolve.HickoryResolver;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.httpproxy.HttpProxyServer;
import io.g3k.dataplane.server.httprproxy.HttpRProxyServer;
import io.g3k.dataplane.server.intelliproxy.IntelliProxyServer;
import io.g3k.dataplane.server.port.PortServer;
import io.g3k.dataplane.server.sniproxy.SniProxyServer;
import io.g3k.dataplane.server.socksproxy.SocksProxyServer;
import io.g3k.dataplane.server.tcpstream.TcpStreamServer;
import io.g3k.dataplane.server.tlsstream.TlsStreamServer;
import io.g3k.dataplane.stat.PrometheusExporter;
import io.g3k.dataplane.stat.Stats;
import io.g3k.dataplane.stat.StatsdEmitter;
import io.g3k.dataplane.task.Tasks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running data plane. Builds resolvers → escapers → user groups → servers from a config, in g3proxy's order,
 * and reloads per object: an object whose config and dependencies are unchanged is kept as it is; a changed server
 * with the same listen spec takes over the old listening sockets (the port never closes); established tasks keep
 * the objects they started with. A reload that fails leaves the running config untouched. Dangling references
 * fall back to deny, as in g3proxy.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    /** A built object and the config it was built from. */
    private record Built<C, T>(C config, T instance) {}

    private final Transport transport;
    private final Stats stats;
    private final Tasks tasks;
    private Map<String, Built<ResolverConfig, Resolver>> resolvers = Map.of();
    private Map<String, Built<EscaperConfig, Escaper>> escapers = Map.of();
    private Map<String, Built<UserGroupConfig, UserGroup>> userGroups = Map.of();
    private Map<String, Built<AuditorConfig, Auditor>> auditors = Map.of();
    private volatile Map<String, Built<ServerConfig, Server>> servers = Map.of();
    private G3Config config;

    private final java.util.concurrent.ScheduledExecutorService scheduler =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                    Thread.ofPlatform().name("g3k-user-source").daemon().factory());
    private StatsdEmitter statsd;
    /** During an apply, route escapers and fail_over resolvers may already look up the objects being built. */
    private volatile Map<String, Built<ResolverConfig, Resolver>> pendingResolvers = Map.of();
    private volatile Map<String, Built<EscaperConfig, Escaper>> pendingEscapers = Map.of();
    private PrometheusExporter prometheus;

    private Daemon(G3Config config, String group) {
        this.transport = Transport.create(config.runtime().workerThreads());
        this.stats = new Stats(group);
        this.tasks = new Tasks(stats);
    }

    public static Daemon start(G3Config config) {
        return start(config, "g3k");
    }

    /**
     * Builds everything and binds every listener; on any failure nothing is left listening. Metrics are tagged
     * with the daemon group.
     */
    public static Daemon start(G3Config config, String group) {
        Daemon daemon = new Daemon(config, group);
        try {
            daemon.apply(config);
            String prefix = config.stat().map(StatConfig::prefix).orElse("g3proxy");
            daemon.prometheus = new PrometheusExporter(daemon.stats, prefix);
            config.stat().ifPresent(stat -> daemon.statsd = StatsdEmitter.start(daemon.stats, stat));
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        LOG.info("g3k started: {} servers, {} escapers, {} resolvers, {} user groups, transport {}",
                daemon.servers.size(), daemon.escapers.size(), daemon.resolvers.size(), daemon.userGroups.size(),
                daemon.transport.kind() + (daemon.transport.relays() == daemon.transport ? ""
                        : " (byte relays on " + daemon.transport.relays().kind() + ")"));
        return daemon;
    }

    /**
     * Applies a new config (runtime/worker settings excepted: they need a restart, as in g3proxy). Returns what
     * changed; throws, with the running config untouched, when the new one cannot be built or bound.
     */
    public synchronized String reload(G3Config next) {
        String summary = apply(next);
        LOG.info("reload: {}", summary);
        return summary;
    }

    public G3Config config() {
        return config;
    }

    public Transport transport() {
        return transport;
    }

    public Stats stats() {
        return stats;
    }

    public PrometheusExporter prometheus() {
        return prometheus;
    }

    private String apply(G3Config next) {
        tasks.log(next.taskLog());
        next.warnings().forEach(w -> LOG.warn("config: {}", w));
        var newResolvers = rebuild(resolvers, next.resolvers(), ResolverConfig::name, (c, old) -> resolver(c));
        pendingResolvers = newResolvers;
        var newEscapers = rebuild(escapers, next.escapers(), EscaperConfig::name,
                (c, old) -> escaper(c, newResolvers));
        pendingEscapers = newEscapers;
        var newGroups = rebuild(userGroups, next.userGroups(), UserGroupConfig::name,
                (c, old) -> new UserGroup(c, scheduler));
        var newAuditors = rebuild(auditors, next.auditors(), AuditorConfig::name, (c, old) -> new Auditor(c, transport));
        // servers: keep unchanged ones, build the rest; nothing is swapped in before all of them started
        Map<String, Built<ServerConfig, Server>> newServers = new LinkedHashMap<>();
        List<Server> started = new ArrayList<>();
        Map<String, Server> replaced = new LinkedHashMap<>();
        List<String> kept = new ArrayList<>();
        try {
            for (ServerConfig c : next.servers()) {
                Built<ServerConfig, Server> old = servers.get(c.name());
                ServerContext context = context(c, newEscapers, newGroups, newAuditors);
                if (old != null && old.config().equals(c)
                        && sameDependencies(old.config(), newEscapers, newGroups, newAuditors)) {
                    newServers.put(c.name(), old);
                    kept.add(c.name());
                    continue;
                }
                Server server = server(c, context);
                server.start(old == null ? null : old.instance());
                server.boundAddresses().forEach(a -> LOG.info("server '{}' listening on {}", c.name(), a));
                started.add(server);
                if (old != null) {
                    replaced.put(c.name(), old.instance());
                }
                newServers.put(c.name(), new Built<>(c, server));
            }
        } catch (RuntimeException e) {
            // undo: give taken-over sockets back, close the new ones
            started.forEach(s -> {
                Server previous = replaced.get(s.name());
                if (previous != null && !previous.isListening()) {
                    previous.start(s);
                }
                s.stop();
            });
            throw e;
        }
        List<String> removed = new ArrayList<>();
        servers.forEach((name, old) -> {
            if (!newServers.containsKey(name)) {
                old.instance().stop();
                removed.add(name);
            }
        });
        replaced.values().forEach(Server::stop);
        userGroups.forEach((name, old) -> {
            if (newGroups.get(name) == null || newGroups.get(name).instance() != old.instance()) {
                old.instance().close();
            }
        });
        escapers.forEach((name, old) -> {
            if (newEscapers.get(name) == null || newEscapers.get(name).instance() != old.instance()) {
                old.instance().close();
            }
        });
        var oldResolvers = resolvers;
        resolvers = newResolvers;
        escapers = newEscapers;
        userGroups = newGroups;
        var oldAuditors = auditors;
        auditors = newAuditors;
        servers = newServers;
        config = next;
        stats.extraTags(next.servers().stream().collect(Collectors.toMap(ServerConfig::name, c -> c.base().extraMetricsTags())),
                next.escapers().stream().collect(Collectors.toMap(EscaperConfig::name, EscaperConfig::extraMetricsTags)));
        // resolvers and auditors no longer used may still serve tasks started before: close them a little later
        oldAuditors.forEach((name, old) -> {
            if (newAuditors.get(name) == null || newAuditors.get(name).instance() != old.instance()) {
                transport.workers().schedule(() -> old.instance().close(), 60, TimeUnit.SECONDS);
            }
        });
        oldResolvers.forEach((name, old) -> {
            if (newResolvers.get(name) == null || newResolvers.get(name).instance() != old.instance()) {
                transport.workers().schedule(() -> old.instance().close(), 60, TimeUnit.SECONDS);
            }
        });
        return "servers kept " + kept + ", (re)started " + started.stream().map(Server::name).toList()
                + ", removed " + removed;
    }

    private boolean sameDependencies(ServerConfig c, Map<String, Built<EscaperConfig, Escaper>> newEscapers,
                                     Map<String, Built<UserGroupConfig, UserGroup>> newGroups,
                                     Map<String, Built<AuditorConfig, Auditor>> newAuditors) {
        boolean escaper = c.base().escaper().map(n -> same(escapers.get(n), newEscapers.get(n))).orElse(true);
        boolean group = c.base().userGroup().map(n -> same(userGroups.get(n), newGroups.get(n))).orElse(true);
        boolean auditor = c.base().auditor().map(n -> same(auditors.get(n), newAuditors.get(n))).orElse(true);
        return escaper && group && auditor;
    }

    private static boolean same(Built<?, ?> a, Built<?, ?> b) {
        return a == b || (a != null && b != null && a.instance() == b.instance());
    }

    private interface Factory<C, T> {
        T build(C config, Built<C, T> old);
    }

    private <C, T> Map<String, Built<C, T>> rebuild(Map<String, Built<C, T>> current, List<C> configs,
                                                    java.util.function.Function<C, String> name, Factory<C, T> factory) {
        Map<String, Built<C, T>> out = new LinkedHashMap<>();
        for (C c : configs) {
            Built<C, T> old = current.get(name.apply(c));
            out.put(name.apply(c), old != null && old.config().equals(c) ? old : new Built<>(c, factory.build(c, old)));
        }
        return out;
    }

    public Optional<Server> server(String name) {
        return Optional.ofNullable(servers.get(name)).map(Built::instance);
    }

    public List<String> serverNames() {
        return List.copyOf(servers.keySet());
    }

    public List<String> escaperNames() {
        return List.copyOf(escapers.keySet());
    }

    public List<String> resolverNames() {
        return List.copyOf(resolvers.keySet());
    }

    public List<String> userGroupNames() {
        return List.copyOf(userGroups.keySet());
    }

    public List<String> auditorNames() {
        return List.copyOf(auditors.keySet());
    }

    public Optional<Escaper> escaper(String name) {
        return Optional.ofNullable(escapers.get(name)).map(Built::instance);
    }

    public Optional<UserGroup> userGroup(String name) {
        return Optional.ofNullable(userGroups.get(name)).map(Built::instance);
    }

    public Optional<Resolver> resolver(String name) {
        return Optional.ofNullable(resolvers.get(name)).map(Built::instance);
    }

    public int aliveTasks() {
        return tasks.alive();
    }

    /** Stops accepting on every server; tasks already running go on. */
    public void offline() {
        servers.values().forEach(s -> s.instance().stop());
    }

    /** Stops accepting, then waits for alive tasks to end, up to {@code timeout}; then closes everything. */
    public void shutdown(Duration timeout) {
        offline();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tasks.alive() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (tasks.alive() > 0) {
            LOG.warn("shutdown: {} tasks still alive after {}; closing them", tasks.alive(), timeout);
        }
        close();
    }

    @Override
    public void close() {
        offline();
        if (statsd != null) {
            statsd.close();
        }
        auditors.values().forEach(a -> a.instance().close()); // while the loops still run: they close what they kept
        transport.close();
        scheduler.shutdownNow();
        escapers.values().forEach(e -> e.instance().close());
        resolvers.values().forEach(r -> r.instance().close());
        userGroups.values().forEach(g -> g.instance().close());
    }

    private Resolver resolver(ResolverConfig config) {
        return switch (config) {
            case CAresResolverConfig c -> new CAresResolver(c, stats);
            case DenyAllResolverConfig d -> new DenyAllResolver(d.name());
            case FailOverResolverConfig f -> new FailOverResolver(f, this::liveResolver);
            case HickoryResolverConfig h -> new HickoryResolver(h, stats);
        };
    }

    private Escaper escaper(EscaperConfig config, Map<String, Built<ResolverConfig, Resolver>> resolvers) {
        return switch (config) {
            case DirectFixedEscaperConfig d -> new DirectFixedEscaper(d,
                    Optional.ofNullable(resolvers.get(d.resolver())).map(Built::instance)
                            .orElseGet(() -> new DenyAllResolver(d.resolver())), transport, stats.escaper(d.name()));
            case DummyDenyEscaperConfig d -> new DummyDenyEscaper(d.name());
            case ProxyChainEscaperConfig p -> new ProxyChainEscaper(p, p.resolver()
                    .flatMap(r -> Optional.ofNullable(resolvers.get(r))).map(Built::instance)
                    .orElseGet(() -> new DenyAllResolver(p.resolver().orElse("-"))), transport, stats.escaper(p.name()));
            case ProxyFloatEscaperConfig p -> new ProxyFloatEscaper(p, transport, stats.escaper(p.name()));
            case RouteFailoverEscaperConfig r -> new RouteFailoverEscaper(r, this::liveEscaper, stats.route(r.name()));
            case RouteUpstreamEscaperConfig r -> new RouteUpstreamEscaper(r, this::liveEscaper, stats.route(r.name()));
            case RouteSelectEscaperConfig r -> new RouteSelectEscaper(r, this::liveEscaper, stats.route(r.name()));
            case RouteQueryEscaperConfig r -> new RouteQueryEscaper(r, this::liveEscaper, stats.route(r.name()), transport);
            case RouteGeoIpEscaperConfig r -> new RouteGeoIpEscaper(r, this::liveEscaper, stats.route(r.name()), this::liveResolver, transport);
            case RouteByNetworkEscaperConfig r -> new RouteByNetworkEscaper(r, this::liveEscaper, stats.route(r.name()), this::liveResolver);
        };
    }

    /** Route escapers look their next hops up per task, so a reload of a next hop applies at once. */
    private Escaper liveEscaper(String name) {
        Built<EscaperConfig, Escaper> built = escapers.get(name);
        if (built == null) {
            built = pendingEscapers.get(name);
        }
        return built == null ? new DummyDenyEscaper(name) : built.instance();
    }

    private Resolver liveResolver(String name) {
        Built<ResolverConfig, Resolver> built = resolvers.get(name);
        if (built == null) {
            built = pendingResolvers.get(name);
        }
        return built == null ? new DenyAllResolver(name) : built.instance();
    }

    private ServerContext context(ServerConfig config, Map<String, Built<EscaperConfig, Escaper>> escapers,
                                  Map<String, Built<UserGroupConfig, UserGroup>> groups,
                                  Map<String, Built<AuditorConfig, Auditor>> auditors) {
        String escaperName = config.base().escaper().orElse("-");
        Escaper escaper = Optional.ofNullable(escapers.get(escaperName)).map(Built::instance)
                .orElseGet(() -> new DummyDenyEscaper(escaperName));
        Optional<UserGroup> group = config.base().userGroup().map(name -> Optional.ofNullable(groups.get(name))
                .map(Built::instance).orElseGet(() -> UserGroup.empty(name)));
        // a missing auditor means no audit, as in g3proxy's default auditor
        Optional<Auditor> auditor = config.base().auditor().map(auditors::get).map(Built::instance);
        return new ServerContext(escaper, group, auditor, transport, tasks, stats.server(config.name()),
                config.base().tcpMiscOpts(), config.dstFilters());
    }

    private Server server(ServerConfig config, ServerContext context) {
        return switch (config) {
            case HttpProxyServerConfig c -> new HttpProxyServer(c, context);
            case SocksProxyServerConfig c -> new SocksProxyServer(c, context);
            case TcpStreamServerConfig c -> new TcpStreamServer(c, context);
            case TlsStreamServerConfig c -> new TlsStreamServer(c, context);
            case SniProxyServerConfig c -> new SniProxyServer(c, context);
            case HttpRProxyServerConfig c -> new HttpRProxyServer(c, context);
            case IntelliProxyServerConfig c -> new IntelliProxyServer(c, context, this::liveServer);
            case PortServerConfig c -> new PortServer(c, context, this::liveServer);
        };
    }

    /** Port servers look their target up per connection, so they always reach the current one. */
    private Server liveServer(String name) {
        return server(name).orElse(null);
    }
}
