package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One server's counters (g3proxy's server and listen families; traffic is kept per transport in {@link Stats}).
 * Striped adders: no lock, no allocation on the hot path.
 */
public final class ServerStats {
    public final LongAdder connectionTotal = new LongAdder();
    public final LongAdder taskTotal = new LongAdder();
    public final LongAdder taskAlive = new LongAdder();
    public final LongAdder forbiddenAuthFailed = new LongAdder();
    public final LongAdder forbiddenDestDenied = new LongAdder();
    public final LongAdder listenAccepted = new LongAdder();
    public final LongAdder listenDropped = new LongAdder();
    public final LongAdder listenTimeout = new LongAdder();
    public final LongAdder listenFailed = new LongAdder();
    public final TrafficStats tcp;
    public final TrafficStats udp;
    volatile boolean online = true;
    volatile int listenInstances;

    ServerStats(TrafficStats tcp, TrafficStats udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    public void online(boolean value) {
        online = value;
    }

    /** How many listening sockets serve this server now (several with {@code listen_in_worker}). */
    public void listenInstances(int count) {
        listenInstances = count;
    }

    public TrafficStats traffic(boolean udpTransport) {
        return udpTransport ? udp : tcp;
    }

    static List<Stats.Metric<ServerStats>> metrics() {
        return List.of(
                Stats.counter("server.connection.total", (ServerStats s) -> s.connectionTotal.sum()),
                Stats.counter("server.task.total", s -> s.taskTotal.sum()),
                Stats.gauge("server.task.alive", s -> s.taskAlive.sum()),
                Stats.counter("server.forbidden.auth_failed", s -> s.forbiddenAuthFailed.sum()),
                Stats.counter("server.forbidden.dest_denied", s -> s.forbiddenDestDenied.sum()),
                Stats.gauge("listen.instance.count", s -> s.listenInstances),
                Stats.counter("listen.accepted", s -> s.listenAccepted.sum()),
                Stats.counter("listen.dropped", s -> s.listenDropped.sum()),
                Stats.counter("listen.timeout", s -> s.listenTimeout.sum()),
                Stats.counter("listen.failed", s -> s.listenFailed.sum()));
    }
}
