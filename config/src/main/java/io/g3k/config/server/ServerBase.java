package io.g3k.config.server;

import io.g3k.config.ListenConfig;
import io.g3k.config.MetricsTags;
import io.g3k.config.NetworkFilter;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.util.Map;
import java.util.Optional;

/**
 * The keys every server shares. Proxy servers need an {@code escaper}; port servers have none and hand their
 * connections to a {@code server} instead.
 */
public record ServerBase(String name, Optional<ListenConfig> listen, Optional<String> escaper,
                         Optional<String> userGroup, Optional<String> auditor,
                         Optional<NetworkFilter> ingressNetworkFilter,
                         Optional<SocketSpeedLimit> tcpSockSpeedLimit,
                         Optional<SocketSpeedLimit> udpSockSpeedLimit, boolean listenInWorker,
                         TaskIdleCheck taskIdleCheck, Map<String, String> extraMetricsTags,
                         TcpMiscOpts tcpMiscOpts, CopyBuffers copyBuffers) {

    static ServerBase proxy(String name, YamlMap map) {
        String escaper = map.requireString("escaper");
        Optional<String> userGroup = map.string("user_group", "usergroup");
        Optional<String> auditor = map.string("auditor");
        return read(name, map, Optional.of(escaper), userGroup, auditor);
    }

    static ServerBase port(String name, YamlMap map) {
        return read(name, map, Optional.empty(), Optional.empty(), Optional.empty());
    }

    private static ServerBase read(String name, YamlMap map, Optional<String> escaper, Optional<String> userGroup,
                                   Optional<String> auditor) {
        Optional<ListenConfig> listen = map.take("listen", node -> ListenConfig.parse(node, map.location() + " key 'listen'",
                map.warnings()));
        Optional<NetworkFilter> ingress = map.take("ingress_network_filter", NetworkFilter::parseIngress,
                "ingress_net_filter");
        Optional<SocketSpeedLimit> speed = map.take("tcp_sock_speed_limit", SocketSpeedLimit::tcp, "tcp_conn_speed_limit", "tcp_conn_limit", "conn_limit");
        Optional<SocketSpeedLimit> udpSpeed = map.take("udp_sock_speed_limit", SocketSpeedLimit::udp, "udp_relay_speed_limit", "udp_relay_limit", "relay_limit");
        boolean inWorker = map.bool("listen_in_worker", false);
        TaskIdleCheck idleCheck = TaskIdleCheck.read(map);
        Map<String, String> tags = map.take("extra_metrics_tags", MetricsTags::parse).orElse(Map.of());
        TcpMiscOpts tcpMisc = map.take("tcp_misc_opts", TcpMiscOpts::parse).orElse(TcpMiscOpts.NONE);
        map.ignoreWithWarning("shared_logger", "udp_misc_opts", "flush_task_log_on_created",
                "flush_task_log_on_connected", "task_log_flush_interval", "udp_relay_yield_size",
                "udp_relay_batch_size");
        return new ServerBase(name, listen, escaper, userGroup, auditor, ingress, speed, udpSpeed, inWorker, idleCheck, tags,
                tcpMisc, CopyBuffers.read(map));
    }
}
