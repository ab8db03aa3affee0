package io.g3k.dataplane.task;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied task (a CONNECT tunnel, a forwarded request, a SOCKS session). It is counted while alive, and
 * logs one line when it ends: client, server, upstream, bytes each way, duration, reason.
 */
public final class Task {
    private static final Logger LOG = LoggerFactory.getLogger("g3k.task");

    private final Tasks tasks;
    private final String server;
    private final String type;
    private final SocketAddress client;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    /** Client to upstream. */
    public final AtomicLong bytesOut = new AtomicLong();
    /** Upstream to client. */
    public final AtomicLong bytesIn = new AtomicLong();
    private volatile String user = "-";
    private volatile String upstream = "-";
    private volatile String escaper = "-";

    Task(Tasks tasks, String server, String type, SocketAddress client) {
        this.tasks = tasks;
        this.server = server;
        this.type = type;
        this.client = client;
    }

    public Task user(String name) {
        this.user = name;
        return this;
    }

    public Task upstream(Object target, String escaperName) {
        this.upstream = String.valueOf(target);
        this.escaper = escaperName;
        return this;
    }

    /** Ends the task once; later calls are ignored, so every path may call it. */
    public void finish(String reason) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        tasks.ended();
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        LOG.info("task server={} type={} client={} user={} upstream={} escaper={} bytes_out={} bytes_in={} "
                        + "duration_ms={} reason={}", server, type, client, user, upstream, escaper, bytesOut.get(),
                bytesIn.get(), ms, reason);
    }
}
