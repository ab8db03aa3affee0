package io.g3k.config.server;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * g3proxy's idle check for a server's tasks: every {@code checkInterval} a tunnel that moved no byte either way
 * since the last check counts one idle round, and after {@code maxCount} rounds in a row it is closed (reason
 * {@code Idle}). Bounds what dead peers (a NAT that forgot them, a client that vanished without a FIN) hold.
 */
public record TaskIdleCheck(Duration checkInterval, int maxCount) {
    private static final Duration MIN_INTERVAL = Duration.ofSeconds(2);
    private static final Duration MAX_INTERVAL = Duration.ofMinutes(30);
    private static final TaskIdleCheck DEFAULT = new TaskIdleCheck(Duration.ofSeconds(60), 5);

    /** {@code task_idle_check_interval} (alias {@code task_idle_check_duration}, g3proxy < 1.13) and {@code task_idle_max_count}. */
    static TaskIdleCheck read(YamlMap map) {
        Duration asked = map.take("task_idle_check_interval", Values::duration, "task_idle_check_duration")
                .orElse(DEFAULT.checkInterval());
        Duration interval = asked.compareTo(MIN_INTERVAL) < 0 ? MIN_INTERVAL
                : asked.compareTo(MAX_INTERVAL) > 0 ? MAX_INTERVAL : asked;
        if (!interval.equals(asked)) {
            map.warnings().add(map.location() + ": task_idle_check_interval " + seconds(asked)
                    + " is outside 2s..1800s, using " + seconds(interval));
        }
        int maxCount = map.take("task_idle_max_count", Values::positiveInt).orElse(DEFAULT.maxCount());
        return new TaskIdleCheck(interval, maxCount);
    }

    /** How long a task may go without activity before it is ended: the interval times the max count. */
    public Duration span() {
        return checkInterval.multipliedBy(maxCount);
    }

    /** The same check closing after {@code count} idle rounds (a user's own {@code task_idle_max_count}). */
    public TaskIdleCheck withMaxCount(int count) {
        return new TaskIdleCheck(checkInterval, count);
    }

    private static String seconds(Duration d) {
        return BigDecimal.valueOf(d.toMillis(), 3).stripTrailingZeros().toPlainString() + "s";
    }
}
