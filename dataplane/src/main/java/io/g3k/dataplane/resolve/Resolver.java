package io.g3k.dataplane.resolve;

import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A named resolver. Completes off the event loop; callers hop back to their loop. An empty list means the name
 * has no address of that family; failures complete exceptionally with {@link ResolveException}.
 */
public interface Resolver extends AutoCloseable {
    enum Family { IPV4, IPV6 }

    String name();

    CompletableFuture<List<InetAddress>> query(String domain, Family family);

    @Override
    default void close() {}
}
