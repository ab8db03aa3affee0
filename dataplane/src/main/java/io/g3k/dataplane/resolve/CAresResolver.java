package io.g3k.dataplane.resolve;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.resolver.CAresResolverConfig;
import io.g3k.dataplane.stat.ResolverStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.ResolverConfig;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;
import org.xbill.DNS.hosts.HostsFileParser;

/**
 * {@code c-ares}: plain DNS to the configured servers via dnsjava (UDP, TCP on truncation, retries across servers),
 * with a TTL-bounded cache and in-flight query coalescing, so a burst for one name costs one query.
 */
public final class CAresResolver implements Resolver {
    private record Key(String domain, Family family) {}

    private record Entry(List<InetAddress> addresses, long expiresAtNanos) {}

    private final CAresResolverConfig config;
    private final ExtendedResolver dns;
    private final ConcurrentHashMap<Key, Entry> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CompletableFuture<List<InetAddress>>> inFlight = new ConcurrentHashMap<>();
    private final HostsFileParser hosts = new HostsFileParser();
    private final java.util.concurrent.ExecutorService executor;

    private final ResolverStats stats;

    public CAresResolver(CAresResolverConfig config, ResolverStats stats) {
        this.config = config;
        this.stats = stats;
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
        this.executor = java.util.concurrent.Executors.newSingleThreadExecutor(
                Thread.ofPlatform().name("g3k-resolver-" + config.name()).daemon().factory());
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CompletableFuture<List<InetAddress>> query(String domain, Family family) {
        Key key = new Key(domain.toLowerCase(java.util.Locale.ROOT), family);
        stats.queryTotal.increment();
        Entry cached = cache.get(key);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            stats.queryCached.increment();
            return CompletableFuture.completedFuture(cached.addresses());
        }
        return inFlight.computeIfAbsent(key, k -> {
            CompletableFuture<List<InetAddress>> future = send(k)
                    .orTimeout(config.protectiveQueryTimeout().toMillis(), TimeUnit.MILLISECONDS);
            future.whenComplete((r, e) -> {
                inFlight.remove(k);
                if (e != null) {
                    stats.queryFailed.increment();
                }
            });
            return future;
        });
    }

    /** As c-ares does: /etc/hosts first, then DNS. The file is read on the resolver's thread, never a worker's. */
    private CompletableFuture<List<InetAddress>> send(Key key) {
        return CompletableFuture.supplyAsync(() -> fromHostsFile(key), executor)
                .thenCompose(hit -> hit.isPresent() ? CompletableFuture.completedFuture(List.of(hit.get()))
                        : sendQuery(key));
    }

    private java.util.Optional<InetAddress> fromHostsFile(Key key) {
        try {
            return hosts.getAddressForHost(Name.fromString(key.domain(), Name.root),
                    key.family() == Family.IPV4 ? Type.A : Type.AAAA).map(CAresResolver::ipOnly);
        } catch (java.io.IOException | RuntimeException e) {
            return java.util.Optional.empty();
        }
    }

    private CompletableFuture<List<InetAddress>> sendQuery(Key key) {
        Message query;
        try {
            Name name = Name.fromString(key.domain(), Name.root);
            query = Message.newQuery(Record.newRecord(name, key.family() == Family.IPV4 ? Type.A : Type.AAAA, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(new ResolveException("invalid domain name '" + key.domain() + "'"));
        }
        return dns.sendAsync(query).toCompletableFuture().handle((answer, error) -> {
            if (error != null) {
                throw new ResolveException("DNS query for " + key.domain() + " failed: " + rootMessage(error));
            }
            int rcode = answer.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                return remember(key, List.of(), config.negativeTtl());
            }
            if (rcode != Rcode.NOERROR) {
                throw new ResolveException("DNS server answered " + Rcode.string(rcode) + " for " + key.domain());
            }
            List<InetAddress> addresses = new ArrayList<>();
            long minTtl = Long.MAX_VALUE;
            for (Record r : answer.getSection(Section.ANSWER)) {
                InetAddress ip = r instanceof ARecord a ? a.getAddress()
                        : r instanceof AAAARecord aaaa ? aaaa.getAddress() : null;
                if (ip != null) {
                    addresses.add(ipOnly(ip));
                    minTtl = Math.min(minTtl, r.getTTL());
                }
            }
            if (addresses.isEmpty()) {
                return remember(key, List.of(), config.negativeTtl());
            }
            long ttl = Math.max(config.positiveMinTtl(), Math.min(config.positiveMaxTtl(), minTtl));
            return remember(key, List.copyOf(addresses), ttl);
        });
    }

    private List<InetAddress> remember(Key key, List<InetAddress> addresses, long ttlSeconds) {
        if (ttlSeconds > 0) {
            cache.put(key, new Entry(addresses, System.nanoTime() + Duration.ofSeconds(ttlSeconds).toNanos()));
        }
        return addresses;
    }

    /** Drops the record's host name so that logs and filters see the bare address. */
    private static InetAddress ipOnly(InetAddress ip) {
        try {
            return InetAddress.getByAddress(ip.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String rootMessage(Throwable error) {
        Throwable t = error;
        while (t.getCause() != null) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }
}
