package io.g3k.dataplane.audit.icap;

import io.g3k.config.audit.IcapConnectionPoolConfig;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections an ICAP service keeps open between messages ({@code icap_connection_pool}), kept by event loop: a
 * message is exchanged on its caller's loop, so a kept connection is only ever used there, most recently used first.
 * At most {@code max_idle_count} in all; each is closed after {@code idle_timeout} unused, and forgotten when the
 * service closes it first. Each loop's connections are only touched on that loop.
 */
final class IcapConnectionPool {
    private static final AttributeKey<CoarseTimer.Cancellable> EXPIRY = AttributeKey.valueOf("g3k.icap.expiry");

    private final IcapConnectionPoolConfig config;
    private final AtomicInteger kept = new AtomicInteger();
    private final Map<EventExecutor, ArrayDeque<Channel>> byLoop = new ConcurrentHashMap<>();
    private volatile boolean closed;

    IcapConnectionPool(IcapConnectionPoolConfig config) {
        this.config = config;
    }

    /** A kept connection of {@code loop}, still open; null when there is none. */
    Channel take(EventLoop loop) {
        ArrayDeque<Channel> idle = byLoop.get(loop);
        while (idle != null && !idle.isEmpty()) {
            Channel ch = idle.pollFirst();
            forget(ch);
            if (ch.isActive()) {
                return ch;
            }
        }
        return null;
    }

    /** Keeps {@code ch}, done with its message, for the next one on its loop; closes it when the pool is full. */
    void offer(Channel ch) {
        if (closed || !ch.isActive()) {
            ch.close();
            return;
        }
        if (kept.incrementAndGet() > config.maxIdleCount()) {
            kept.decrementAndGet();
            ch.close();
            return;
        }
        byLoop.computeIfAbsent(ch.eventLoop(), loop -> new ArrayDeque<>()).addFirst(ch);
        ch.attr(EXPIRY).set(CoarseTimer.after(ch.eventLoop(), config.idleTimeout(), ch::close));
    }

    /** A connection that closed: forgotten if it was kept. */
    void closed(Channel ch) {
        ArrayDeque<Channel> idle = byLoop.get(ch.eventLoop());
        if (idle != null && idle.remove(ch)) {
            forget(ch);
        }
    }

    /** Closes every kept connection and keeps no more (the service's configuration was replaced). */
    void close() {
        closed = true;
        byLoop.forEach((loop, idle) -> {
            try {
                loop.execute(() -> {
                    for (Channel ch; (ch = idle.pollFirst()) != null; ) {
                        forget(ch);
                        ch.close();
                    }
                });
            } catch (RejectedExecutionException e) {
                // the loop has shut down, and its connections with it
            }
        });
    }

    private void forget(Channel ch) {
        kept.decrementAndGet();
        CoarseTimer.Cancellable expiry = ch.attr(EXPIRY).getAndSet(null);
        if (expiry != null) {
            expiry.cancel();
        }
    }
}
