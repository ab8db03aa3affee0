package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Why a user's tasks were refused on one server (g3proxy's {@code user.forbidden.*}). */
public final class UserForbiddenStats {
    public final LongAdder authFailed = new LongAdder();
    public final LongAdder userExpired = new LongAdder();
    public final LongAdder destDenied = new LongAdder();
    public final LongAdder rateLimited = new LongAdder();
    public final LongAdder fullyLoaded = new LongAdder();
    public final LongAdder userBlocked = new LongAdder();
    public final LongAdder srcBlocked = new LongAdder();
    public final LongAdder protoBanned = new LongAdder();
    public final LongAdder uaBlocked = new LongAdder();

    static List<Stats.Metric<UserForbiddenStats>> metrics() {
        return List.of(
                Stats.counter("user.forbidden.auth_failed", (UserForbiddenStats s) -> s.authFailed.sum()),
                Stats.counter("user.forbidden.user_expired", s -> s.userExpired.sum()),
                Stats.counter("user.forbidden.dest_denied", s -> s.destDenied.sum()),
                Stats.counter("user.forbidden.rate_limited", s -> s.rateLimited.sum()),
                Stats.counter("user.forbidden.fully_loaded", s -> s.fullyLoaded.sum()),
                Stats.counter("user.forbidden.user_blocked", s -> s.userBlocked.sum()),
                Stats.counter("user.forbidden.src_blocked", s -> s.srcBlocked.sum()),
                Stats.counter("user.forbidden.proto_banned", s -> s.protoBanned.sum()),
                Stats.counter("user.forbidden.ua_blocked", s -> s.uaBlocked.sum()));
    }
}
