package io.g3k.dataplane.stat;

import java.util.concurrent.atomic.LongAdder;

/** One escaper's counters (g3proxy's escaper family). */
public final class EscaperStats {
    public final LongAdder taskTotal = new LongAdder();
    public final LongAdder connectionAttempt = new LongAdder();
    public final LongAdder connectionEstablish = new LongAdder();
    public final LongAdder tcpConnectError = new LongAdder();
    public final LongAdder tcpConnectTimeout = new LongAdder();
    public final LongAdder forbiddenIpBlocked = new LongAdder();
    public final LongAdder trafficInBytes = new LongAdder();
    public final LongAdder trafficOutBytes = new LongAdder();
}
