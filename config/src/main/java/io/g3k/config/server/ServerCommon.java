package io.g3k.config.server;

import io.g3k.config.ListenConfig;
import io.g3k.config.YamlMap;
import java.util.Optional;

/** The keys every proxy server shares. */
record ServerCommon(String name, Optional<ListenConfig> listen, String escaper, Optional<String> userGroup) {
    static ServerCommon read(String name, YamlMap map) {
        Optional<ListenConfig> listen = map.take("listen", node -> ListenConfig.parse(node, map.location() + " key 'listen'"));
        String escaper = map.requireString("escaper");
        Optional<String> userGroup = map.string("user_group", "usergroup");
        map.ignoreWithWarning("shared_logger", "tcp_misc_opts", "udp_misc_opts", "task_idle_check_interval",
                "task_idle_check_duration", "task_idle_max_count", "flush_task_log_on_created",
                "flush_task_log_on_connected", "task_log_flush_interval", "extra_metrics_tags",
                "tcp_copy_buffer_size", "tcp_copy_yield_size", "udp_relay_packet_size", "udp_relay_yield_size",
                "udp_relay_batch_size", "listen_in_worker");
        return new ServerCommon(name, listen, escaper, userGroup);
    }
}
