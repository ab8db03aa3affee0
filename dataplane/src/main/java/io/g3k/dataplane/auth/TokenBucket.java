package io.g3k.dataplane.auth;

import io.g3k.config.RateLimit;

/** A token bucket for a {@link RateLimit}: {@code permits} per period, up to {@code max_burst} saved. Thread-safe. */
final class TokenBucket {
    private final double perNano;
    private final double capacity;
    private double tokens;
    private long last = System.nanoTime();

    TokenBucket(RateLimit limit) {
        this.perNano = limit.permits() / (double) limit.per().toNanos();
        this.capacity = limit.maxBurst();
        this.tokens = capacity;
    }

    synchronized boolean tryAcquire() {
        long now = System.nanoTime();
        tokens = Math.min(capacity, tokens + (now - last) * perNano);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
