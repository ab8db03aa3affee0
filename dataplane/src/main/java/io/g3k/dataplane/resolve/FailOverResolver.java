package io.g3k.dataplane.resolve;

import io.g3k.config.resolver.FailOverResolverConfig;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * {@code fail_over}: the primary answers alone if it is quick; after {@code fallback_delay}, or as soon as it
 * fails, the standby is asked too and the first answer wins. Fails only when both fail.
 */
public final class FailOverResolver implements Resolver {
    private final FailOverResolverConfig config;
    private final Function<String, Resolver> resolvers;

    public FailOverResolver(FailOverResolverConfig config, Function<String, Resolver> resolvers) {
        this.config = config;
        this.resolvers = resolvers;
    }

    @Override
    public String name() {
        return config.name();
    }

    @Override
    public CompletableFuture<List<InetAddress>> query(String domain, Family family) {
        CompletableFuture<List<InetAddress>> out = new CompletableFuture<>();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean standbyStarted = new AtomicBoolean();
        Runnable standby = () -> {
            if (!out.isDone() && standbyStarted.compareAndSet(false, true)) {
                resolvers.apply(config.standby()).query(domain, family).whenComplete((r, e) -> {
                    if (e == null) {
                        out.complete(r);
                    } else if (failures.incrementAndGet() == 2) {
                        out.completeExceptionally(e);
                    }
                });
            }
        };
        resolvers.apply(config.primary()).query(domain, family).whenComplete((r, e) -> {
            if (e == null) {
                out.complete(r);
            } else {
                standby.run();
                if (failures.incrementAndGet() == 2) {
                    out.completeExceptionally(e);
                }
            }
        });
        CompletableFuture.delayedExecutor(config.fallbackDelay().toMillis(), TimeUnit.MILLISECONDS).execute(standby);
        return out;
    }
}
