package io.g3k.dataplane.task;

import io.g3k.config.server.TaskIdleCheck;
import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * g3proxy's idle check for a long-lived task (a tunnel, a UDP session): on the task's event loop, every check
 * interval, a task whose activity count has not moved counts one idle round; after the check's max count in a row
 * it is ended. The server puts its check on each channel it accepts ({@link #CHECK}); the task's user may override
 * the count ({@link Task#idleCheck}).
 */
public final class IdleWatch {
    /** Set on an accepted channel by its server: the idle check the tasks on it run. */
    public static final AttributeKey<TaskIdleCheck> CHECK = AttributeKey.valueOf("g3k.taskIdleCheck");

    private IdleWatch() {}

    /**
     * Watches {@code activity} (a counter only the loop updates) for the task on {@code client}; runs {@code idle}
     * once idle for long enough. Returns the scheduled check, to cancel when the task ends, or null when the channel
     * has no check (a channel no server accepted).
     */
    public static ScheduledFuture<?> start(Channel client, Task task, LongSupplier activity, Runnable idle) {
        TaskIdleCheck check = task == null ? client.attr(CHECK).get() : task.idleCheck(client.attr(CHECK).get());
        return check == null ? null : start(client.eventLoop(), check, activity, idle);
    }

    static ScheduledFuture<?> start(EventExecutor loop, TaskIdleCheck check, LongSupplier activity, Runnable idle) {
        long interval = check.checkInterval().toMillis();
        return loop.scheduleAtFixedRate(new Runnable() {
            private long before = activity.getAsLong();
            private int idleRounds;

            @Override
            public void run() {
                long now = activity.getAsLong();
                idleRounds = now == before ? idleRounds + 1 : 0;
                before = now;
                if (idleRounds >= check.maxCount()) {
                    idle.run();
                }
            }
        }, interval, interval, TimeUnit.MILLISECONDS);
    }
}
