package io.g3k.dataplane.resolve;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.resolver.CAresResolverConfig;
import io.g3k.dataplane.stat.Stats;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;
import org.xbill.DNS.hosts.HostsFileParser;

/**
 * {@code c-ares}: /etc/hosts first (as c-ares does), then plain DNS to the configured servers via dnsjava (UDP, TCP
 * on truncation, retries across servers), or to the servers of /etc/resolv.conf when none is given.
 */
public final class CAresResolver extends CachingResolver {
    private final ExtendedResolver dns;
    private final HostsFileParser hosts = new HostsFileParser();

    public CAresResolver(CAresResolverConfig config, Stats stats) {
        super(config.name(), config.cache(), stats);
        List<InetSocketAddress> servers = new ArrayList<>();
        for (UpstreamAddr server : config.servers()) {
            servers.add(new InetSocketAddress(server.ip().orElseThrow(), server.port()));
        }
        if (servers.isEmpty()) {
            servers.addAll(ResolverConfig.getCurrentConfig().servers());
        }
        List<org.xbill.DNS.Resolver> resolvers = new ArrayList<>();
        for (InetSocketAddress server : servers) {
            SimpleResolver simple = new SimpleResolver(server);
            simple.setTimeout(config.eachTimeout());
            (server.getAddress().getAddress().length == 4 ? config.bindIpv4() : config.bindIpv6())
                    .ifPresent(ip -> simple.setLocalAddress(new InetSocketAddress(ip, 0)));
            resolvers.add(simple);
        }
        this.dns = new ExtendedResolver(resolvers);
        this.dns.setRetries(config.eachTries());
        this.dns.setTimeout(config.eachTimeout());
        this.dns.setLoadBalance(false);
    }

    @Override
    protected CompletableFuture<Message> exchange(Message query) {
        return dns.sendAsync(query).toCompletableFuture();
    }

    /** dnsjava's hosts file parser is not thread-safe, and A and AAAA are looked up at the same time. */
    @Override
    protected synchronized Optional<InetAddress> local(String domain, Family family) {
        try {
            return hosts.getAddressForHost(Name.fromString(domain, Name.root),
                    family == Family.IPV4 ? Type.A : Type.AAAA).map(CachingResolver::ipOnly);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }
}
