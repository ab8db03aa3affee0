package io.g3k.dataplane.stat;

import java.util.concurrent.atomic.LongAdder;

/** One server's counters (g3proxy's server family). Striped adders: no lock, no allocation on the hot path. */
public final class ServerStats {
    public final LongAdder connectionTotal = new LongAdder();
    public final LongAdder taskTotal = new LongAdder();
    public final LongAdder taskAlive = new LongAdder();
    public final LongAdder forbiddenAuthFailed = new LongAdder();
    public final LongAdder trafficInBytes = new LongAdder();
    public final LongAdder trafficOutBytes = new LongAdder();
    volatile boolean online = true;

    public void online(boolean value) {
        online = value;
    }
}
