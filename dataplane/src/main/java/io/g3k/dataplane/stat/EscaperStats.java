package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One escaper's counters (g3proxy's escaper family). {@code connection.*} counts tasks' connections,
 * {@code tcp.connect.*} each socket: an attempt per address tried, established when the socket connects, success
 * when it is handed over (after a next proxy's handshake); TLS handshakes the escaper's connections made.
 */
public final class EscaperStats {
    public final LongAdder taskTotal = new LongAdder();
    public final LongAdder connectionAttempt = new LongAdder();
    public final LongAdder connectionEstablish = new LongAdder();
    public final LongAdder tcpConnectAttempt = new LongAdder();
    public final LongAdder tcpConnectEstablish = new LongAdder();
    public final LongAdder tcpConnectSuccess = new LongAdder();
    public final LongAdder tcpConnectError = new LongAdder();
    public final LongAdder tcpConnectTimeout = new LongAdder();
    public final LongAdder tlsHandshakeSuccess = new LongAdder();
    public final LongAdder tlsHandshakeError = new LongAdder();
    public final LongAdder tlsHandshakeTimeout = new LongAdder();
    public final LongAdder forbiddenIpBlocked = new LongAdder();
    public final TrafficStats tcp;
    public final TrafficStats udp;

    EscaperStats(TrafficStats tcp, TrafficStats udp) {
        this.tcp = tcp;
        this.udp = udp;
    }

    public TrafficStats traffic(boolean udpTransport) {
        return udpTransport ? udp : tcp;
    }

    /** Counts a finished TLS handshake of this escaper's: null cause for success. */
    public void tlsHandshake(Throwable cause) {
        if (cause == null) {
            tlsHandshakeSuccess.increment();
        } else if (cause instanceof io.netty.handler.ssl.SslHandshakeTimeoutException) {
            tlsHandshakeTimeout.increment();
        } else {
            tlsHandshakeError.increment();
        }
    }

    static List<Stats.Metric<EscaperStats>> metrics() {
        return List.of(
                Stats.counter("escaper.task.total", (EscaperStats s) -> s.taskTotal.sum()),
                Stats.counter("escaper.connection.attempt", s -> s.connectionAttempt.sum()),
                Stats.counter("escaper.connection.establish", s -> s.connectionEstablish.sum()),
                Stats.counter("escaper.tcp.connect.attempt", s -> s.tcpConnectAttempt.sum()),
                Stats.counter("escaper.tcp.connect.establish", s -> s.tcpConnectEstablish.sum()),
                Stats.counter("escaper.tcp.connect.success", s -> s.tcpConnectSuccess.sum()),
                Stats.counter("escaper.tcp.connect.error", s -> s.tcpConnectError.sum()),
                Stats.counter("escaper.tcp.connect.timeout", s -> s.tcpConnectTimeout.sum()),
                Stats.counter("escaper.tls.handshake.success", s -> s.tlsHandshakeSuccess.sum()),
                Stats.counter("escaper.tls.handshake.error", s -> s.tlsHandshakeError.sum()),
                Stats.counter("escaper.tls.handshake.timeout", s -> s.tlsHandshakeTimeout.sum()),
                Stats.counter("escaper.forbidden.ip_blocked", s -> s.forbiddenIpBlocked.sum()));
    }
}
