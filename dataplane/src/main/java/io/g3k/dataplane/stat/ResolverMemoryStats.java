package io.g3k.dataplane.stat;

import java.util.List;
import java.util.function.IntSupplier;

/** A resolver's cache and in-flight sizes, read live (g3proxy's {@code resolver.memory.*} gauges). */
public final class ResolverMemoryStats {
    volatile IntSupplier cacheLength = () -> 0;
    volatile IntSupplier doingLength = () -> 0;

    /** The running resolver reports its sizes here (a reloaded one takes over). */
    public void watch(IntSupplier cacheLength, IntSupplier doingLength) {
        this.cacheLength = cacheLength;
        this.doingLength = doingLength;
    }

    static List<Stats.Metric<ResolverMemoryStats>> metrics() {
        return List.of(
                Stats.gauge("resolver.memory.cache.length", (ResolverMemoryStats s) -> s.cacheLength.getAsInt()),
                Stats.gauge("resolver.memory.doing.length", s -> s.doingLength.getAsInt()));
    }
}
