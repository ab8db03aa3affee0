package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** A route escaper's picks: passed to a next escaper, or failed to pick one (g3proxy's route family). */
public final class RouteStats {
    public final LongAdder requestPassed = new LongAdder();
    public final LongAdder requestFailed = new LongAdder();

    static List<Stats.Metric<RouteStats>> metrics() {
        return List.of(
                Stats.counter("route.request.passed", (RouteStats s) -> s.requestPassed.sum()),
                Stats.counter("route.request.failed", s -> s.requestFailed.sum()));
    }
}
