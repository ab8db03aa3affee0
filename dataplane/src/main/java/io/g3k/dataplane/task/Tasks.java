package io.g3k.dataplane.task;

import io.g3k.dataplane.stat.Stats;
import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** Starts tasks and counts the alive ones of the process, for graceful shutdown (drain until zero or timeout). */
public final class Tasks {
    private final AtomicInteger alive = new AtomicInteger();
    private final Stats stats;
    private volatile boolean log = true;

    public Tasks(Stats stats) {
        this.stats = stats;
    }

    public Task start(String server, String type, SocketAddress client) {
        alive.incrementAndGet();
        return new Task(this, stats, server, type, client);
    }

    void ended() {
        alive.decrementAndGet();
    }

    /** Whether ended tasks are logged (the config's {@code log} driver; g3proxy's default discards them). */
    public void log(boolean enabled) {
        log = enabled;
    }

    boolean log() {
        return log;
    }

    public Stats stats() {
        return stats;
    }

    public int alive() {
        return alive.get();
    }
}
