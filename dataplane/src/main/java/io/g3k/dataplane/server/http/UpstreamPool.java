package io.g3k.dataplane.server.http;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A reverse proxy's idle upstream connections, which any of its client connections on the same loop may take
 * next: a client that closes its connection leaves its idle upstream connection here (still bound by
 * {@code http_forward_upstream_keepalive}'s idle expire), as haproxy and nginx reuse idle server connections
 * across clients. Without it every new client connection cost a new upstream connection too (a third of the
 * reverse proxy's new-connection requests left a {@code TIME_WAIT} towards the origin). Each loop's connections are
 * touched only by that loop.
 */
public final class UpstreamPool {
    /** Idle connections kept per loop, more are closed: 64 was too few for 32 clients connecting anew at once (a
     * fifth of them found none idle yet and opened more, which the pool then closed). */
    static final int MAX_IDLE_PER_LOOP = 256;

    private final Map<EventLoop, ArrayDeque<HttpForwardConnection>> idle = new ConcurrentHashMap<>();

    /** Keeps an idle connection for the next client, or closes it when the loop keeps enough. */
    void offer(HttpForwardConnection connection) {
        ArrayDeque<HttpForwardConnection> kept = idle.computeIfAbsent(connection.channel().eventLoop(),
                loop -> new ArrayDeque<>());
        if (kept.size() >= MAX_IDLE_PER_LOOP) {
            // only when full: a scan per offer was 4% of the Java time of a connection per request
            kept.removeIf(c -> !c.channel().isActive()); // closed meanwhile (idle expire, the target's close)
        }
        if (kept.size() >= MAX_IDLE_PER_LOOP) {
            connection.close();
            return;
        }
        kept.addFirst(connection);
    }

    /** The most recently kept connection on {@code loop} that fits, taken out; null when none does. */
    HttpForwardConnection take(EventLoop loop, HttpRoute.Target target, boolean raw) {
        ArrayDeque<HttpForwardConnection> kept = idle.get(loop);
        if (kept == null) {
            return null;
        }
        for (Iterator<HttpForwardConnection> it = kept.iterator(); it.hasNext(); ) {
            HttpForwardConnection c = it.next();
            if (!c.channel().isActive()) {
                it.remove();
            } else if (c.raw() == raw && c.reusableFor(target)) {
                it.remove();
                return c;
            }
        }
        return null;
    }
}
