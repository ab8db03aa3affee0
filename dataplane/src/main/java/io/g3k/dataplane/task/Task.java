package io.g3k.dataplane.task;

import io.g3k.config.auth.ExplicitSite;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.stat.EscaperStats;
import io.g3k.dataplane.stat.UserStats;
import io.g3k.dataplane.stat.ServerStats;
import io.g3k.dataplane.stat.Stats;
import java.net.SocketAddress;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied task (a CONNECT tunnel, a forwarded request, a SOCKS session). While alive it counts its bytes into
 * its own totals and into its server's and escaper's stats; when it ends it logs one line: client, server,
 * upstream, bytes each way, duration, reason.
 */
public final class Task {
    private static final Logger LOG = LoggerFactory.getLogger("g3k.task");

    private final Tasks tasks;
    private final Stats stats;
    private final ServerStats serverStats;
    private final String server;
    private final String type;
    private final SocketAddress client;
    private final long startNanos = System.nanoTime();
    private final AtomicBoolean finished = new AtomicBoolean();
    private final AtomicLong bytesOut = new AtomicLong();
    private final AtomicLong bytesIn = new AtomicLong();
    private volatile EscaperStats escaperStats;
    private volatile UserStats userStats;
    private volatile UserStats siteStats;
    private volatile User owner;
    private volatile String user = "-";
    private volatile String upstream = "-";
    private volatile String escaper = "-";

    Task(Tasks tasks, Stats stats, String server, String type, SocketAddress client) {
        this.tasks = tasks;
        this.stats = stats;
        this.serverStats = stats.server(server);
        this.server = server;
        this.type = type;
        this.client = client;
        serverStats.taskTotal.increment();
        serverStats.taskAlive.increment();
    }

    /**
     * The task belongs to an admitted user: it counts into the user's (and the explicit site's) stats and gives
     * the user's alive slot back when it ends.
     */
    public Task user(User admitted, Optional<ExplicitSite> site) {
        this.user = admitted.name();
        this.owner = admitted;
        this.userStats = stats.user(admitted.group(), admitted.name(), server);
        userStats.requestTotal.increment();
        userStats.requestAlive.increment();
        site.filter(ExplicitSite::emitStats).ifPresent(s -> {
            siteStats = stats.site(admitted.group(), admitted.name(), server, s.id());
            siteStats.requestTotal.increment();
            siteStats.requestAlive.increment();
        });
        return this;
    }

    public Task upstream(Object target, String escaperName) {
        this.upstream = String.valueOf(target);
        if (escaperStats == null || !escaperName.equals(escaper)) {
            escaperStats = stats.escaper(escaperName);
            escaperStats.taskTotal.increment();
        }
        this.escaper = escaperName;
        return this;
    }

    /** Bytes from the client towards the upstream. */
    public void out(long n) {
        bytesOut.addAndGet(n);
        serverStats.trafficInBytes.add(n);
        EscaperStats e = escaperStats;
        if (e != null) {
            e.trafficOutBytes.add(n);
        }
        UserStats u = userStats;
        if (u != null) {
            u.trafficOutBytes.add(n);
            UserStats site = siteStats;
            if (site != null) {
                site.trafficOutBytes.add(n);
            }
        }
    }

    /** Bytes from the upstream towards the client. */
    public void in(long n) {
        bytesIn.addAndGet(n);
        serverStats.trafficOutBytes.add(n);
        EscaperStats e = escaperStats;
        if (e != null) {
            e.trafficInBytes.add(n);
        }
        UserStats u = userStats;
        if (u != null) {
            u.trafficInBytes.add(n);
            UserStats site = siteStats;
            if (site != null) {
                site.trafficInBytes.add(n);
            }
        }
    }

    /** Ends the task once; later calls are ignored, so every path may call it. */
    public void finish(String reason) {
        if (!finished.compareAndSet(false, true)) {
            return;
        }
        serverStats.taskAlive.decrement();
        if (owner != null) {
            owner.release();
            userStats.requestAlive.decrement();
            if (siteStats != null) {
                siteStats.requestAlive.decrement();
            }
        }
        tasks.ended();
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        LOG.info("task server={} type={} client={} user={} upstream={} escaper={} bytes_out={} bytes_in={} "
                        + "duration_ms={} reason={}", server, type, client, user, upstream, escaper, bytesOut.get(),
                bytesIn.get(), ms, reason);
    }
}
