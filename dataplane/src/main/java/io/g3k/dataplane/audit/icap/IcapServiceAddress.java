package io.g3k.dataplane.audit.icap;

import io.g3k.config.IpLiteral;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The address of an ICAP service's URL. An IP literal is used as it is; a name goes through the system resolver, as
 * g3proxy does (so {@code /etc/hosts} and a cluster's search domains apply). That lookup blocks, so it runs on a
 * thread of its own, never on an event loop: a slow DNS server would otherwise stall every connection of the loop.
 * Lookups asked for while one is under way share it, so a slow DNS server holds one thread per service, not one
 * per message. The JDK caches answers (30 s by default), so a busy service is not looked up per connection.
 */
final class IcapServiceAddress {
    private static final ExecutorService LOOKUPS = Executors.newCachedThreadPool(
            Thread.ofPlatform().name("g3k-icap-lookup-", 0).daemon().factory());

    private final String host;
    private final int port;
    private final InetSocketAddress literal;
    private final AtomicReference<CompletableFuture<InetAddress>> underWay = new AtomicReference<>();

    IcapServiceAddress(String host, int port) {
        this.host = host;
        this.port = port;
        Optional<InetAddress> ip = IpLiteral.parse(host);
        this.literal = ip.map(a -> new InetSocketAddress(a, port)).orElse(null);
    }

    /** The address, completed on {@code loop}. */
    Future<InetSocketAddress> resolve(EventLoop loop) {
        if (literal != null) {
            return loop.newSucceededFuture(literal);
        }
        Promise<InetSocketAddress> result = loop.newPromise(); // its listeners run on the loop
        lookup().whenComplete((ip, e) -> {
            if (e != null) {
                result.tryFailure(e);
            } else {
                result.trySuccess(new InetSocketAddress(ip, port));
            }
        });
        return result;
    }

    private CompletableFuture<InetAddress> lookup() {
        while (true) {
            CompletableFuture<InetAddress> current = underWay.get();
            if (current != null) {
                return current;
            }
            CompletableFuture<InetAddress> mine = new CompletableFuture<>();
            if (underWay.compareAndSet(null, mine)) {
                LOOKUPS.execute(() -> {
                    try {
                        mine.complete(InetAddress.getByName(host));
                    } catch (UnknownHostException e) {
                        mine.completeExceptionally(e); // its message names the host and what the resolver said
                    } finally {
                        underWay.compareAndSet(mine, null);
                    }
                });
                return mine;
            }
        }
    }
}
