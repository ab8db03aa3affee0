package io.g3k.dataplane.stat;

import java.util.concurrent.atomic.LongAdder;

/** One resolver's counters (g3proxy's resolver family). */
public final class ResolverStats {
    public final LongAdder queryTotal = new LongAdder();
    public final LongAdder queryCached = new LongAdder();
    public final LongAdder queryFailed = new LongAdder();
}
