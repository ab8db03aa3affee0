package io.g3k.dataplane.util;

import io.netty.util.Timeout;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A deadline re-armed far more often than it fires (once per request on a keep-alive connection). Arming and
 * cancelling only move a timestamp; one scheduled check per owner runs when due and re-schedules itself for what is
 * left, as Netty's IdleStateHandler does, instead of a timer task scheduled and cancelled per request. The check
 * runs on the {@link CoarseTimer}, off the loop's own schedule. Confined to its event loop.
 */
public final class LazyDeadline {
    private final EventExecutor executor;
    private boolean armed;
    private long dueNanos;
    private Runnable onExpiry;
    private Timeout check;
    /** Which check is the pending one: a cancelled check the wheel had already handed over still runs. */
    private int checks;
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
            dropCheck(); // due sooner than the pending check: re-schedule
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
            dropCheck();
        }
    }

    private void dropCheck() {
        check.cancel();
        check = null;
        checks++;
    }

    private void schedule() {
        checkNanos = dueNanos;
        int which = ++checks;
        check = CoarseTimer.schedule(executor, () -> due(which), Math.max(0, dueNanos - System.nanoTime()),
                TimeUnit.NANOSECONDS);
    }

    private void due(int which) {
        if (which != checks) {
            return; // dropped
        }
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
