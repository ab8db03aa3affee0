package io.g3k.dataplane.stat;

import java.util.concurrent.atomic.LongAdder;

/** One user's counters on one server (g3proxy's user family); with a site, one explicit site's. */
public final class UserStats {
    public final LongAdder requestTotal = new LongAdder();
    public final LongAdder requestAlive = new LongAdder();
    public final LongAdder forbiddenDestDenied = new LongAdder();
    public final LongAdder forbiddenRateLimited = new LongAdder();
    public final LongAdder forbiddenFullyLoaded = new LongAdder();
    public final LongAdder trafficInBytes = new LongAdder();
    public final LongAdder trafficOutBytes = new LongAdder();
}
