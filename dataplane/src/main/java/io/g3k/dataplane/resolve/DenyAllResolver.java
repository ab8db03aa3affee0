package io.g3k.dataplane.resolve;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** {@code deny_all}: every query fails. Also stands in for a resolver name that is not defined. */
public record DenyAllResolver(String name) implements Resolver {
    @Override
    public CompletableFuture<List<InetAddress>> query(String domain, Family family) {
        return CompletableFuture.failedFuture(new ResolveException("resolver '" + name + "' denies all queries"));
    }
}
