package io.g3k.dataplane.escape.directfixed;

import io.g3k.config.IpLiteral;
import io.g3k.config.ResolveStrategy;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.escaper.DirectFixedEscaperConfig;
import io.g3k.dataplane.escape.EscapeException;
import io.g3k.dataplane.escape.EscapeException.Reason;
import io.g3k.dataplane.resolve.Resolver;
import io.g3k.dataplane.resolve.Resolver.Family;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns a target into the ordered list of addresses a direct escaper may connect to: resolve by the strategy,
 * drop families the escaper cannot use, drop every address the egress filter forbids, interleave the families
 * with the preferred one first (RFC 8305). The check runs on the exact addresses that are later connected to.
 */
final class TargetAddresses {
    private final DirectFixedEscaperConfig config;
    private final Resolver resolver;

    TargetAddresses(DirectFixedEscaperConfig config, Resolver resolver) {
        this.config = config;
        this.resolver = resolver;
    }

    Future<List<InetAddress>> lookup(UpstreamAddr requested, EventLoop loop, ResolveStrategy strategy) {
        Promise<List<InetAddress>> result = loop.newPromise();
        // resolve_redirection: another name (or a fixed IP) stands in for the requested one
        String redirected = config.resolveRedirection().apply(requested.host());
        UpstreamAddr target = redirected.equals(requested.host()) ? requested
                : new UpstreamAddr(redirected, requested.port());
        var literal = IpLiteral.parse(target.host());
        if (literal.isPresent()) {
            try {
                result.setSuccess(usable(List.of(literal.get()), target));
            } catch (EscapeException e) {
                result.setFailure(e);
            }
            return result;
        }
        ResolveStrategy.Query query = strategy.query();
        boolean v4 = query != ResolveStrategy.Query.IPV6_ONLY && !config.noIpv4();
        boolean v6 = query != ResolveStrategy.Query.IPV4_ONLY && !config.noIpv6();
        AtomicReference<Throwable> error = new AtomicReference<>();
        CompletableFuture<List<InetAddress>> a = v4 ? tolerant(resolver.query(target.host(), Family.IPV4), error)
                : CompletableFuture.completedFuture(List.of());
        CompletableFuture<List<InetAddress>> aaaa = v6 ? tolerant(resolver.query(target.host(), Family.IPV6), error)
                : CompletableFuture.completedFuture(List.of());
        a.thenCombine(aaaa, (four, six) -> order(four, six, strategy)).whenComplete((all, e) -> loop.execute(() -> {
            if (all.isEmpty()) {
                Throwable cause = error.get();
                result.setFailure(new EscapeException(Reason.RESOLVE_FAILED, cause != null ? cause.getMessage()
                        : "no usable address for " + target.host()));
                return;
            }
            try {
                result.setSuccess(usable(all, target));
            } catch (EscapeException ex) {
                result.setFailure(ex);
            }
        }));
        return result;
    }

    private List<InetAddress> usable(List<InetAddress> candidates, UpstreamAddr target) {
        List<InetAddress> permitted = new ArrayList<>();
        for (InetAddress ip : candidates) {
            InetAddress canonical = IpLiteral.canonical(ip);
            boolean family = canonical instanceof Inet4Address ? !config.noIpv4() : !config.noIpv6();
            if (family && config.egressNetworkFilter().check(canonical).permits()) {
                permitted.add(canonical);
            }
        }
        if (permitted.isEmpty()) {
            throw new EscapeException(Reason.FORBIDDEN_ADDRESS,
                    "egress to " + target + " (" + candidates.getFirst().getHostAddress() + ") is forbidden");
        }
        return permitted;
    }

    private List<InetAddress> order(List<InetAddress> four, List<InetAddress> six, ResolveStrategy strategy) {
        ResolveStrategy.Query query = strategy.query();
        List<InetAddress> first = new ArrayList<>(query == ResolveStrategy.Query.IPV6_FIRST ? six : four);
        List<InetAddress> second = new ArrayList<>(query == ResolveStrategy.Query.IPV6_FIRST ? four : six);
        if (strategy.pick() == ResolveStrategy.Pick.RANDOM) {
            Collections.shuffle(first);
            Collections.shuffle(second);
        }
        List<InetAddress> out = new ArrayList<>();
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < second.size()) {
                out.add(second.get(i));
            }
        }
        return out;
    }

    private static CompletableFuture<List<InetAddress>> tolerant(CompletableFuture<List<InetAddress>> query,
                                                                 AtomicReference<Throwable> error) {
        return query.exceptionally(e -> {
            error.compareAndSet(null, e instanceof java.util.concurrent.CompletionException && e.getCause() != null
                    ? e.getCause() : e);
            return List.of();
        });
    }
}
