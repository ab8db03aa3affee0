package io.g3k.dataplane.limit;

import java.time.Duration;

/**
 * A token bucket of bytes for a {@link ReadPacer}: {@code bytes} added every {@code per}, up to {@code burst} saved. A
 * read takes what it read, and may leave the bucket in debt: the reader then waits until the debt is paid. One bucket
 * can be shared by connections on several loops (a user's {@code tcp_all_upload_speed_limit}): thread-safe.
 */
public final class ReadBudget {
    private final double perNano;
    private final double burst;
    private double tokens;
    private long last = System.nanoTime();

    public ReadBudget(long bytes, Duration per, long burst) {
        this.perNano = bytes / (double) per.toNanos();
        this.burst = burst;
        this.tokens = burst;
    }

    /** Takes {@code bytes}; returns the nanoseconds to wait before reading more (0: read on). */
    public synchronized long take(long bytes) {
        long now = System.nanoTime();
        tokens = Math.min(burst, tokens + (now - last) * perNano);
        last = now;
        tokens -= bytes;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens / perNano);
    }
}
