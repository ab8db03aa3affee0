package io.g3k.dataplane.util;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A deadline re-armed far more often than it fires (once per request on a keep-alive connection). Arming and
 * cancelling only move a timestamp; one scheduled check per owner runs when due and re-schedules itself for what is
 * left, as Netty's IdleStateHandler does, instead of a timer task scheduled and cancelled per request.
 * Confined to its event loop.
 */
public final class LazyDeadline {
    private final EventExecutor executor;
    private boolean armed;
    private long dueNanos;
    private Runnable onExpiry;
    private ScheduledFuture<?> check;
    private long checkNanos;

    public LazyDeadline(EventExecutor executor) {
        this.executor = executor;
    }

    /** Runs {@code onExpiry} after {@code timeout} unless cancelled or re-armed before. */
    public void arm(Duration timeout, Runnable onExpiry) {
        dueNanos = System.nanoTime() + timeout.toNanos();
        this.onExpiry = onExpiry;
        armed = true;
        if (check != null && dueNanos - checkNanos < 0) {
            check.cancel(false); // due sooner than the pending check: re-schedule
            check = null;
        }
        if (check == null) {
            schedule();
        }
    }

    public void cancel() {
        armed = false;
        onExpiry = null;
    }

    /** Cancels and drops the pending check (the owner is closed). */
    public void stop() {
        cancel();
        if (check != null) {
            check.cancel(false);
            check = null;
        }
    }

    private void schedule() {
        checkNanos = dueNanos;
        check = executor.schedule(this::due, Math.max(0, dueNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void due() {
        check = null;
        if (!armed) {
            return;
        }
        if (dueNanos - System.nanoTime() > 0) {
            schedule();
            return;
        }
        Runnable action = onExpiry;
        cancel();
        action.run();
    }
}
