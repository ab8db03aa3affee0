package io.g3k.config;

import java.time.Duration;

/**
 * {@code runtime:} and {@code worker:} as far as g3k uses them: worker thread count and the graceful-shutdown timers.
 * {@code workerThreads} 0 means one per CPU.
 */
public record RuntimeConfig(int workerThreads, Duration serverOfflineDelay, Duration taskWaitTimeout) {
    public static final RuntimeConfig DEFAULT = new RuntimeConfig(0, Duration.ZERO, Duration.ofHours(10));

    static RuntimeConfig parse(java.util.Optional<YamlMap> runtime, java.util.Optional<YamlMap> worker) {
        Duration offlineDelay = DEFAULT.serverOfflineDelay();
        Duration waitTimeout = DEFAULT.taskWaitTimeout();
        if (runtime.isPresent()) {
            YamlMap map = runtime.get();
            offlineDelay = map.take("server_offline_delay", Values::duration).orElse(offlineDelay);
            waitTimeout = map.take("task_wait_timeout", Values::duration).orElse(waitTimeout);
            map.ignoreWithWarning("thread_number", "thread_name", "thread_stack_size", "max_io_events_per_tick",
                    "task_wait_delay", "task_quit_timeout");
            map.finish();
        }
        int threads = 0;
        if (worker.isPresent()) {
            YamlMap map = worker.get();
            threads = map.take("thread_number", Values::positiveInt).orElse(0);
            map.ignoreWithWarning("thread_number_per_runtime", "thread_stack_size", "sched_affinity",
                    "max_io_events_per_tick");
            map.finish();
        }
        return new RuntimeConfig(threads, offlineDelay, waitTimeout);
    }
}
