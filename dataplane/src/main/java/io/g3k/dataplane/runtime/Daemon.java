package io.g3k.dataplane.runtime;

import io.g3k.config.G3Config;
import io.g3k.config.auth.UserGroupConfig;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.config.escaper.DummyDenyEscaperConfig;
import io.g3k.config.escaper.EscaperConfig;
import io.g3k.config.resolver.CAresResolverConfig;
import io.g3k.config.resolver.DenyAllResolverConfig;
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
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.escape.Escaper;
import io.g3k.dataplane.escape.directfixed.DirectFixedEscaper;
import io.g3k.dataplane.escape.dummydeny.DummyDenyEscaper;
import io.g3k.dataplane.resolve.CAresResolver;
import io.g3k.dataplane.resolve.DenyAllResolver;
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
import io.g3k.dataplane.task.Tasks;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running data plane: builds resolvers, escapers, user groups and servers from a loaded config, in g3proxy's
 * order, and shuts down gracefully (stop accepting, drain tasks up to a timeout). Dangling references fall back
 * to deny, as in g3proxy.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    private final Transport transport;
    private final Tasks tasks = new Tasks();
    private final Map<String, Resolver> resolvers = new LinkedHashMap<>();
    private final Map<String, Escaper> escapers = new LinkedHashMap<>();
    private final Map<String, UserGroup> userGroups = new LinkedHashMap<>();
    private final Map<String, Server> servers = new LinkedHashMap<>();

    private Daemon(G3Config config) {
        this.transport = Transport.create(config.runtime().workerThreads());
        config.warnings().forEach(w -> LOG.warn("config: {}", w));
        config.resolvers().forEach(r -> resolvers.put(r.name(), resolver(r)));
        config.escapers().forEach(e -> escapers.put(e.name(), escaper(e)));
        config.userGroups().forEach(g -> userGroups.put(g.name(), new UserGroup(g)));
        for (ServerConfig s : config.servers()) {
            servers.put(s.name(), server(s));
        }
    }

    /** Builds everything and binds every listener; on any failure nothing is left listening. */
    public static Daemon start(G3Config config) {
        Daemon daemon = new Daemon(config);
        try {
            for (Server server : daemon.servers.values()) {
                server.start();
                server.boundAddresses().forEach(a -> LOG.info("server '{}' listening on {}", server.name(), a));
            }
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        LOG.info("g3k started: {} servers, {} escapers, {} resolvers, {} user groups, transport {}",
                daemon.servers.size(), daemon.escapers.size(), daemon.resolvers.size(), daemon.userGroups.size(),
                daemon.transport.kind());
        return daemon;
    }

    public Optional<Server> server(String name) {
        return Optional.ofNullable(servers.get(name));
    }

    public int aliveTasks() {
        return tasks.alive();
    }

    /** Stops accepting, then waits for alive tasks to end, up to {@code timeout}; then closes everything. */
    public void shutdown(Duration timeout) {
        servers.values().forEach(Server::stop);
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
        servers.values().forEach(Server::stop);
        transport.close();
        resolvers.values().forEach(Resolver::close);
    }

    private Resolver resolver(ResolverConfig config) {
        return switch (config) {
            case CAresResolverConfig c -> new CAresResolver(c);
            case DenyAllResolverConfig d -> new DenyAllResolver(d.name());
        };
    }

    private Escaper escaper(EscaperConfig config) {
        return switch (config) {
            case DirectFixedEscaperConfig d -> new DirectFixedEscaper(d,
                    resolvers.getOrDefault(d.resolver(), new DenyAllResolver(d.resolver())), transport);
            case DummyDenyEscaperConfig d -> new DummyDenyEscaper(d.name());
        };
    }

    private Server server(ServerConfig config) {
        String escaperName = config.base().escaper().orElse("-");
        Escaper escaper = escapers.getOrDefault(escaperName, new DummyDenyEscaper(escaperName));
        Optional<UserGroup> group = config.base().userGroup()
                .map(name -> userGroups.getOrDefault(name, UserGroup.empty(name)));
        ServerContext context = new ServerContext(escaper, group, transport, tasks);
        return switch (config) {
            case HttpProxyServerConfig c -> new HttpProxyServer(c, context);
            case SocksProxyServerConfig c -> new SocksProxyServer(c, context);
            case TcpStreamServerConfig c -> new TcpStreamServer(c, context);
            case TlsStreamServerConfig c -> new TlsStreamServer(c, context);
            case SniProxyServerConfig c -> new SniProxyServer(c, context);
            case HttpRProxyServerConfig c -> new HttpRProxyServer(c, context);
            case IntelliProxyServerConfig c -> new IntelliProxyServer(c, context, servers::get);
            case PortServerConfig c -> new PortServer(c, context, servers::get);
        };
    }
}
