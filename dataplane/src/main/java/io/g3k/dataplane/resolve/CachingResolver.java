package io.g3k.dataplane.resolve;

import io.g3k.dataplane.util.Errors;
import io.g3k.config.resolver.ResolverCache;
import io.g3k.dataplane.stat.ResolverStats;
import io.g3k.dataplane.stat.Stats;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * What every DNS resolver shares: a TTL-bounded cache (negative answers too), in-flight coalescing (a burst for
 * one name costs one query), a protective timeout, stats, and an own thread for blocking work. Subclasses only
 * exchange one DNS message with their servers.
 */
public abstract class CachingResolver implements Resolver {
    private record Key(String domain, Family family) {}

    private record Entry(List<InetAddress> addresses, long expiresAtNanos) {}

    private final String name;
    private final ResolverCache cacheConfig;
    private final ResolverStats statsA;
    private final ResolverStats statsAaaa;
    private final ConcurrentHashMap<Key, Entry> cache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Key, CompletableFuture<List<InetAddress>>> inFlight = new ConcurrentHashMap<>();
    protected final ExecutorService executor;

    protected CachingResolver(String name, ResolverCache cacheConfig, Stats stats) {
        this.name = name;
        this.cacheConfig = cacheConfig;
        this.statsA = stats.resolver(name, "A");
        this.statsAaaa = stats.resolver(name, "AAAA");
        stats.resolverMemory(name).watch(cache::size, inFlight::size);
        this.executor = Executors.newCachedThreadPool(Thread.ofPlatform().name("g3k-resolver-" + name).daemon().factory());
    }

    /** One query to the servers; completes with the answer or exceptionally. */
    protected abstract CompletableFuture<Message> exchange(Message query);

    /** An answer that needs no DNS (the hosts file of c-ares); empty by default. */
    protected Optional<InetAddress> local(String domain, Family family) {
        return Optional.empty();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public CompletableFuture<List<InetAddress>> query(String domain, Family family) {
        Key key = new Key(domain.toLowerCase(Locale.ROOT), family);
        ResolverStats stats = stats(family);
        stats.queryTotal.increment();
        Entry cached = cache.get(key);
        if (cached != null && cached.expiresAtNanos() - System.nanoTime() > 0) {
            stats.queryCached.increment();
            return CompletableFuture.completedFuture(cached.addresses());
        }
        return inFlight.computeIfAbsent(key, k -> {
            CompletableFuture<List<InetAddress>> future = CompletableFuture
                    .supplyAsync(() -> local(k.domain(), k.family()), executor)
                    .thenCompose(hit -> hit.isPresent() ? CompletableFuture.completedFuture(List.of(hit.get()))
                            : send(k))
                    .orTimeout(cacheConfig.protectiveQueryTimeout().toMillis(), TimeUnit.MILLISECONDS);
            future.whenComplete((r, e) -> inFlight.remove(k));
            return future;
        });
    }

    private CompletableFuture<List<InetAddress>> send(Key key) {
        Message query;
        try {
            Name name = Name.fromString(key.domain(), Name.root);
            query = Message.newQuery(Record.newRecord(name, key.family() == Family.IPV4 ? Type.A : Type.AAAA, DClass.IN));
        } catch (TextParseException e) {
            return CompletableFuture.failedFuture(new ResolveException("invalid domain name '" + key.domain() + "'"));
        }
        ResolverStats stats = stats(key.family());
        stats.driverTotal.increment();
        return exchange(query).handle((answer, error) -> {
            if (error != null) {
                countDriverError(stats, error);
                throw new ResolveException("DNS query for " + key.domain() + " failed: " + Errors.rootMessage(error));
            }
            int rcode = answer.getRcode();
            if (rcode == Rcode.NXDOMAIN) {
                stats.serverNotFound.increment();
                return remember(key, List.of(), cacheConfig.negativeTtl());
            }
            if (rcode != Rcode.NOERROR) {
                switch (rcode) {
                    case Rcode.REFUSED -> stats.serverRefused.increment();
                    case Rcode.FORMERR -> stats.serverMalformed.increment();
                    case Rcode.SERVFAIL -> stats.serverServFail.increment();
                    default -> { }
                }
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
                return remember(key, List.of(), cacheConfig.negativeTtl());
            }
            long ttl = Math.max(cacheConfig.positiveMinTtl(), Math.min(cacheConfig.positiveMaxTtl(), minTtl));
            return remember(key, List.copyOf(addresses), ttl);
        });
    }

    private ResolverStats stats(Family family) {
        return family == Family.IPV4 ? statsA : statsAaaa;
    }

    /** Where the exchange itself failed: no answer in time, refused by the network, or an unreadable answer. */
    private static void countDriverError(ResolverStats stats, Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof java.util.concurrent.TimeoutException || root instanceof java.net.SocketTimeoutException) {
            stats.driverTimeout.increment();
        } else if (root instanceof java.net.PortUnreachableException || root instanceof java.net.ConnectException) {
            stats.driverRefused.increment();
        } else if (root instanceof org.xbill.DNS.WireParseException) {
            stats.driverMalformed.increment();
        }
    }

    private List<InetAddress> remember(Key key, List<InetAddress> addresses, long ttlSeconds) {
        if (ttlSeconds > 0) {
            cache.put(key, new Entry(addresses, System.nanoTime() + Duration.ofSeconds(ttlSeconds).toNanos()));
        }
        return addresses;
    }

    /** Drops the record's host name so that logs and filters see the bare address. */
    protected static InetAddress ipOnly(InetAddress ip) {
        try {
            return InetAddress.getByAddress(ip.getAddress());
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
