package io.g3k.dataplane.task;

import io.g3k.config.server.TaskIdleCheck;
import io.g3k.dataplane.util.CoarseTimer;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.Timeout;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * g3proxy's idle check for a long-lived task (a tunnel, a UDP session): on the task's event loop, every check
 * interval, a task whose activity count has not moved counts one idle round; after the check's max count in a row
 * it is ended. The server puts its check on each channel it accepts ({@link #CHECK}); the task's user may override
 * the count ({@link Task#idleCheck}). The checks run on the {@link CoarseTimer}.
 */
public final class IdleWatch {
    /** Set on an accepted channel by its server: the idle check the tasks on it run. */
    public static final AttributeKey<TaskIdleCheck> CHECK = AttributeKey.valueOf("g3k.taskIdleCheck");

    private final EventExecutor loop;
    private final TaskIdleCheck check;
    private final LongSupplier activity;
    private final Runnable idle;
    private long before;
    private int idleRounds;
    private Timeout next;
    private boolean cancelled;

    private IdleWatch(EventExecutor loop, TaskIdleCheck check, LongSupplier activity, Runnable idle) {
        this.loop = loop;
        this.check = check;
        this.activity = activity;
        this.idle = idle;
        this.before = activity.getAsLong();
    }

    /**
     * Watches {@code activity} (a counter only the loop updates) for the task on {@code client}; runs {@code idle}
     * once idle for long enough. Returns the watch, to cancel on the loop when the task ends, or null when the
     * channel has no check (a channel no server accepted).
     */
    public static IdleWatch start(Channel client, Task task, LongSupplier activity, Runnable idle) {
        TaskIdleCheck check = checkOf(client, task);
        return check == null ? null : start(client.eventLoop(), check, activity, idle);
    }

    /** The idle span ({@link TaskIdleCheck#span}) of the task on {@code client}; zero where the channel has no check. */
    public static Duration span(Channel client, Task task) {
        TaskIdleCheck check = checkOf(client, task);
        return check == null ? Duration.ZERO : check.span();
    }

    private static TaskIdleCheck checkOf(Channel client, Task task) {
        return task == null ? client.attr(CHECK).get() : task.idleCheck(client.attr(CHECK).get());
    }

    static IdleWatch start(EventExecutor loop, TaskIdleCheck check, LongSupplier activity, Runnable idle) {
        IdleWatch watch = new IdleWatch(loop, check, activity, idle);
        watch.arm();
        return watch;
    }

    /** How long the task may go without activity before it is ended ({@link TaskIdleCheck#span}). */
    public Duration span() {
        return check.span();
    }

    /** Stops the checks; called on the watch's loop. */
    public void cancel() {
        cancelled = true;
        next.cancel();
    }

    private void arm() {
        next = CoarseTimer.schedule(loop, this::round, check.checkInterval().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void round() {
        if (cancelled) {
            return;
        }
        long now = activity.getAsLong();
        idleRounds = now == before ? idleRounds + 1 : 0;
        before = now;
        if (idleRounds >= check.maxCount()) {
            idle.run();
        } else {
            arm();
        }
    }
}
