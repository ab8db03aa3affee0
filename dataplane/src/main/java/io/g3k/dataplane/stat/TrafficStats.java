package io.g3k.dataplane.stat;

import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/** Bytes and packets each way for one object and transport (g3proxy's {@code *.traffic.*} metrics). */
public final class TrafficStats {
    public final LongAdder inBytes = new LongAdder();
    public final LongAdder inPackets = new LongAdder();
    public final LongAdder outBytes = new LongAdder();
    public final LongAdder outPackets = new LongAdder();

    /** Counts one read or datagram towards this object ({@code in}) or away from it ({@code out}). */
    public void add(boolean in, long bytes) {
        (in ? inBytes : outBytes).add(bytes);
        (in ? inPackets : outPackets).increment();
    }

    static List<Stats.Metric<TrafficStats>> metrics(String prefix) {
        return List.of(
                Stats.counter(prefix + "in.bytes", (TrafficStats s) -> s.inBytes.sum()),
                Stats.counter(prefix + "in.packets", s -> s.inPackets.sum()),
                Stats.counter(prefix + "out.bytes", s -> s.outBytes.sum()),
                Stats.counter(prefix + "out.packets", s -> s.outPackets.sum()));
    }
}
