package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * A user's requests of one kind on one server (or at one explicit site): started, alive, ready (upstream
 * reached), forwarded over a reused or a new upstream connection, and the client-side traffic.
 */
public final class UserRequestStats {
    public final LongAdder requestTotal = new LongAdder();
    public final LongAdder requestAlive = new LongAdder();
    public final LongAdder requestReady = new LongAdder();
    public final LongAdder requestReuse = new LongAdder();
    public final LongAdder requestRenew = new LongAdder();
    public final TrafficStats traffic = new TrafficStats();

    static List<Stats.Metric<UserRequestStats>> metrics(String prefix) {
        var own = List.<Stats.Metric<UserRequestStats>>of(
                Stats.counter(prefix + "request.total", (UserRequestStats s) -> s.requestTotal.sum()),
                Stats.gauge(prefix + "request.alive", s -> s.requestAlive.sum()),
                Stats.counter(prefix + "request.ready", s -> s.requestReady.sum()),
                Stats.counter(prefix + "request.reuse", s -> s.requestReuse.sum()),
                Stats.counter(prefix + "request.renew", s -> s.requestRenew.sum()));
        var traffic = TrafficStats.metrics(prefix + "traffic.").stream()
                .map(m -> new Stats.Metric<UserRequestStats>(m.name(), m.kind(), s -> m.value().applyAsLong(s.traffic)));
        return java.util.stream.Stream.concat(own.stream(), traffic).toList();
    }
}
