package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** A user's client connections on one server, by protocol (tag {@code connection}: http, socks). */
public final class UserConnectionStats {
    public final LongAdder connectionTotal = new LongAdder();
    public final LongAdder l7ConnectionAlive = new LongAdder();

    static List<Stats.Metric<UserConnectionStats>> metrics() {
        return List.of(
                Stats.counter("user.connection.total", (UserConnectionStats s) -> s.connectionTotal.sum()),
                Stats.gauge("user.l7.connection.alive", s -> s.l7ConnectionAlive.sum()));
    }
}
