package io.g3k.dataplane.task;

import io.g3k.config.auth.ExplicitSite;
import io.g3k.config.server.TaskIdleCheck;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.stat.EscaperStats;
import io.g3k.dataplane.stat.TrafficStats;
import io.g3k.dataplane.stat.UserRequestStats;
import io.g3k.dataplane.stat.ServerStats;
import io.g3k.dataplane.stat.Stats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.net.SocketAddress;
import java.util.Optional;
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
    private final TrafficStats serverTraffic;
    private final String server;
    private final String type;
    private final boolean udp;
    private final SocketAddress client;
    private final long startNanos = System.nanoTime();
    // atomics as fields of the task, not objects of their own: one task per forwarded request
    private static final VarHandle FINISHED;
    private static final VarHandle BYTES_OUT;
    private static final VarHandle BYTES_IN;
    private volatile boolean finished;
    private volatile long bytesOut;
    private volatile long bytesIn;
    private volatile EscaperStats escaperStats;
    private volatile TrafficStats escaperTraffic;
    private volatile Stats.UserKey userKey;
    private volatile String siteId;
    private volatile UserRequestStats userRequest;
    private volatile UserRequestStats siteRequest;
    private volatile TrafficStats userUpstream;
    private volatile TrafficStats siteUpstream;
    private volatile User owner;
    private volatile String user = "-";
    private volatile String uri;
    private volatile Object upstream = "-"; // turned into text only for the log line
    private volatile String escaper = "-";
    private volatile String protocol = "-";

    static {
        try {
            var lookup = MethodHandles.lookup();
            FINISHED = lookup.findVarHandle(Task.class, "finished", boolean.class);
            BYTES_OUT = lookup.findVarHandle(Task.class, "bytesOut", long.class);
            BYTES_IN = lookup.findVarHandle(Task.class, "bytesIn", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    Task(Tasks tasks, Stats stats, String server, String type, SocketAddress client) {
        this.tasks = tasks;
        this.stats = stats;
        this.serverStats = stats.server(server);
        this.server = server;
        this.type = type;
        this.udp = type.contains("udp");
        this.serverTraffic = serverStats.traffic(udp);
        this.client = client;
        serverStats.taskTotal.increment();
        serverStats.taskAlive.increment();
    }

    /** g3proxy's {@code request} tag for this task's type. */
    private String requestTag() {
        return switch (type) {
            case "socks4_tcp_connect", "socks5_tcp_connect" -> "socks_tcp_connect";
            case "socks5_udp_associate" -> "socks_udp_associate";
            case "socks5_udp_connect" -> "socks_udp_connect";
            case "http_rproxy" -> "http_forward";
            default -> type;
        };
    }

    /**
     * The task belongs to an admitted user: it counts into the user's (and the explicit site's) stats and gives
     * the user's alive slot back when it ends.
     */
    public Task user(User admitted, Optional<ExplicitSite> site) {
        this.user = admitted.name();
        this.owner = admitted;
        this.userKey = admitted.statsKey();
        this.userRequest = stats.userRequest(userKey, server, requestTag());
        userRequest.requestTotal.increment();
        userRequest.requestAlive.increment();
        site.filter(ExplicitSite::emitStats).ifPresent(s -> {
            siteId = s.id();
            siteRequest = stats.siteRequest(userKey, server, requestTag(), s.id());
            siteRequest.requestTotal.increment();
            siteRequest.requestAlive.increment();
        });
        upstreamStats();
        return this;
    }

    public Task upstream(Object target, String escaperName) {
        this.upstream = target;
        if (escaperStats == null || !escaperName.equals(escaper)) {
            escaperStats = stats.escaper(escaperName);
            escaperTraffic = escaperStats.traffic(udp);
            escaperStats.taskTotal.increment();
            this.escaper = escaperName;
            upstreamStats();
        }
        return this;
    }

    private void upstreamStats() {
        if (userKey != null && escaperStats != null) {
            userUpstream = stats.userUpstream(userKey, escaper, udp);
            if (siteId != null) {
                siteUpstream = stats.siteUpstream(userKey, escaper, udp, siteId);
            }
        }
    }

    /**
     * The request target as the client sent it, for the task log (HTTP forward and reverse proxying), cut to
     * {@code maxChars} (g3proxy's {@code log_uri_max_chars}). It holds no password: a target with user info is
     * refused before any task starts.
     */
    public Task uri(String requested, int maxChars) {
        this.uri = requested.length() > maxChars ? requested.substring(0, maxChars) + "..." : requested;
        return this;
    }

    /** The idle check for this task's tunnel: its server's, with its user's {@code task_idle_max_count} if set. */
    public TaskIdleCheck idleCheck(TaskIdleCheck server) {
        User user = owner;
        if (server == null || user == null || user.taskIdleMaxCount().isEmpty()) {
            return server;
        }
        return server.withMaxCount(user.taskIdleMaxCount().getAsInt());
    }

    /** The upstream is reached; for forwarded requests, say whether over a reused connection. */
    public void ready(Optional<Boolean> reused) {
        for (UserRequestStats s : new UserRequestStats[] {userRequest, siteRequest}) {
            if (s != null) {
                s.requestReady.increment();
                reused.ifPresent(r -> (r ? s.requestReuse : s.requestRenew).increment());
            }
        }
    }

    /** What protocol inspection found in the tunnel; layers (TLS, then what it carries) are joined with '>'. */
    public void inspected(String found) {
        protocol = protocol.equals("-") ? found : protocol + ">" + found;
    }

    /** Bytes from the client towards the upstream: in on the client side, out on the upstream side. */
    public void out(long n) {
        BYTES_OUT.getAndAdd(this, n);
        count(true, n);
    }

    /** Bytes from the upstream towards the client. */
    public void in(long n) {
        BYTES_IN.getAndAdd(this, n);
        count(false, n);
    }

    private void count(boolean fromClient, long n) {
        if (n == 0) {
            return;
        }
        serverTraffic.add(fromClient, n);
        add(escaperTraffic, !fromClient, n);
        UserRequestStats u = userRequest;
        if (u != null) {
            u.traffic.add(fromClient, n);
            add(userUpstream, !fromClient, n);
            UserRequestStats site = siteRequest;
            if (site != null) {
                site.traffic.add(fromClient, n);
                add(siteUpstream, !fromClient, n);
            }
        }
    }

    private static void add(TrafficStats traffic, boolean in, long n) {
        if (traffic != null) {
            traffic.add(in, n);
        }
    }

    /** Ends the task once; later calls are ignored, so every path may call it. */
    public void finish(String reason) {
        if (!FINISHED.compareAndSet(this, false, true)) {
            return;
        }
        serverStats.taskAlive.decrement();
        if (owner != null) {
            owner.release();
            userRequest.requestAlive.decrement();
            if (siteRequest != null) {
                siteRequest.requestAlive.decrement();
            }
        }
        tasks.ended();
        if (!tasks.log()) {
            return;
        }
        long ms = (System.nanoTime() - startNanos) / 1_000_000;
        LOG.info("task server={} type={} client={} user={} upstream={} escaper={} protocol={} bytes_out={} "
                        + "bytes_in={} duration_ms={} reason={}{}", server, type, client, user, upstream, escaper, protocol,
                bytesOut, bytesIn, ms, reason, uri == null ? "" : " uri=" + uri);
    }
}
