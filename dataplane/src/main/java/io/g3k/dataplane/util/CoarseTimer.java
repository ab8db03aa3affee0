package io.g3k.dataplane.util;

import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Timers that may run a tick late (100 ms, so the wheel wakes ten times a second): idle checks and idle expiries, re-armed far more often than they fire, and
 * the deadlines of a connection's first bytes (a ClientHello, a SOCKS or PROXY protocol header), nearly always
 * cancelled; all of them seconds long. They are kept off the event loops' own schedules, since a loop with any task
 * scheduled reads the clock several times a round, to see whether one is due and to time its wait; with none it reads
 * none. One thread keeps them all on Netty's hashed wheel and hands each, when due, to its loop.
 *
 * <p>A timer cancelled on its loop may still run once if the wheel handed it over just before: owners check their own
 * state when it runs.
 */
public final class CoarseTimer {
    private static final HashedWheelTimer WHEEL = new HashedWheelTimer(
            new DefaultThreadFactory("g3k-timer", true), 100, TimeUnit.MILLISECONDS, 512);

    /** From a second up a timeout may run a tick late; shorter ones keep Netty's exact timer (see {@link #suits}). */
    private static final Duration SUITS_FROM = Duration.ofSeconds(1);

    private CoarseTimer() {}

    /** Whether {@code timeout} is long enough for this timer's 100 ms tick. */
    public static boolean suits(Duration timeout) {
        return timeout.compareTo(SUITS_FROM) >= 0;
    }

    /** What cancels a task scheduled with {@link #after}. */
    @FunctionalInterface
    public interface Cancellable {
        void cancel();
    }

    /**
     * Runs {@code task} on {@code loop} after {@code delay}: on this timer when the delay {@link #suits} it, else on
     * the loop's own schedule, exactly.
     */
    public static Cancellable after(EventExecutor loop, Duration delay, Runnable task) {
        if (!suits(delay)) {
            var exact = loop.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
            return () -> exact.cancel(false);
        }
        Timeout coarse = schedule(loop, task, delay.toNanos(), TimeUnit.NANOSECONDS);
        return coarse::cancel;
    }

    /** Runs {@code task} on {@code loop} after {@code delay}; dropped if the loop has shut down by then. */
    public static Timeout schedule(EventExecutor loop, Runnable task, long delay, TimeUnit unit) {
        return WHEEL.newTimeout(due -> {
            try {
                loop.execute(task);
            } catch (RejectedExecutionException e) {
                // the loop is shutting down, and its channels with it
            }
        }, delay, unit);
    }
}
