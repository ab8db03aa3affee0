package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One resolver's counters for one record type (g3proxy's resolver family, tag {@code rr_type}): queries asked
 * of it, answered from cache, sent to servers ({@code driver}), and what went wrong where.
 */
public final class ResolverStats {
    public final LongAdder queryTotal = new LongAdder();
    public final LongAdder queryCached = new LongAdder();
    public final LongAdder driverTotal = new LongAdder();
    public final LongAdder driverTimeout = new LongAdder();
    public final LongAdder driverRefused = new LongAdder();
    public final LongAdder driverMalformed = new LongAdder();
    public final LongAdder serverRefused = new LongAdder();
    public final LongAdder serverMalformed = new LongAdder();
    public final LongAdder serverNotFound = new LongAdder();
    public final LongAdder serverServFail = new LongAdder();

    static List<Stats.Metric<ResolverStats>> metrics() {
        return List.of(
                Stats.counter("resolver.query.total", (ResolverStats s) -> s.queryTotal.sum()),
                Stats.counter("resolver.query.cached", s -> s.queryCached.sum()),
                Stats.counter("resolver.query.driver.total", s -> s.driverTotal.sum()),
                Stats.counter("resolver.query.driver.timeout", s -> s.driverTimeout.sum()),
                Stats.counter("resolver.query.driver.refused", s -> s.driverRefused.sum()),
                Stats.counter("resolver.query.driver.malformed", s -> s.driverMalformed.sum()),
                Stats.counter("resolver.query.server.refused", s -> s.serverRefused.sum()),
                Stats.counter("resolver.query.server.malformed", s -> s.serverMalformed.sum()),
                Stats.counter("resolver.query.server.not_found", s -> s.serverNotFound.sum()),
                Stats.counter("resolver.query.server.serv_fail", s -> s.serverServFail.sum()));
    }
}
