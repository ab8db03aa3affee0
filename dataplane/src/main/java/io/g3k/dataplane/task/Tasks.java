package io.g3k.dataplane.task;

import java.net.SocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** Counts alive tasks of the process, for graceful shutdown (drain until zero or timeout). */
public final class Tasks {
    private final AtomicInteger alive = new AtomicInteger();

    public Task start(String server, String type, SocketAddress client) {
        alive.incrementAndGet();
        return new Task(this, server, type, client);
    }

    void ended() {
        alive.decrementAndGet();
    }

    public int alive() {
        return alive.get();
    }
}
