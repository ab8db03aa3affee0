package io.g3k.config.escaper;

import io.g3k.config.IpLiteral;
import io.g3k.config.MetricsTags;
import io.g3k.config.NetworkFilter;
import io.g3k.config.ProxyProtocol;
import io.g3k.config.ResolveStrategy;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpConnect;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import io.g3k.config.auth.ResolveRedirection;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type: direct_fixed}: connect to the target from this host, optionally from fixed bind IPs.
 * {@code type: direct_float}: the same, with bind IPs published at run time ({@code floating}).
 */
public record DirectFixedEscaperConfig(String name, boolean floating, String resolver, ResolveStrategy resolveStrategy,
                                       List<InetAddress> bindIps, NetworkFilter egressNetworkFilter,
                                       boolean noIpv4, boolean noIpv6, TcpConnect tcpConnect,
                                       Duration connectionAttemptDelay,
                                       Optional<SocketSpeedLimit> tcpSockSpeedLimit,
                                       Optional<SocketSpeedLimit> udpSockSpeedLimit, ResolveRedirection resolveRedirection,
                                       Map<String, String> extraMetricsTags, TcpKeepalive tcpKeepalive,
                                       TcpMiscOpts tcpMiscOpts, Optional<ProxyProtocol> useProxyProtocol)
        implements EscaperConfig {
    public static final String TYPE = "direct_fixed";

    @Override
    public String type() {
        return floating ? "direct_float" : TYPE;
    }

    static DirectFixedEscaperConfig parse(String name, YamlMap map, boolean floating) {
        String resolver = map.requireString("resolver");
        ResolveStrategy strategy = map.take("resolve_strategy",
                n -> ResolveStrategy.parse(n, map.location() + " key 'resolve_strategy'")).orElse(ResolveStrategy.DEFAULT);
        List<InetAddress> bindIps = floating ? List.of() : map.take("bind_ip",
                n -> Values.stringList(n).stream().map(IpLiteral::require).toList()).orElse(List.of());
        NetworkFilter filter = map.take("egress_network_filter", NetworkFilter::parseEgress, "egress_net_filter")
                .orElse(NetworkFilter.egressDefault());
        boolean noIpv4 = map.bool("no_ipv4", false);
        boolean noIpv6 = map.bool("no_ipv6", false);
        TcpConnect tcpConnect = map.take("tcp_connect", TcpConnect::parse).orElse(TcpConnect.DEFAULT);
        Duration attemptDelay = Duration.ofMillis(250);
        var happyEyeballs = map.map("happy_eyeballs");
        if (happyEyeballs.isPresent()) {
            attemptDelay = happyEyeballs.get().take("connection_attempt_delay", Values::duration).orElse(attemptDelay);
            happyEyeballs.get().ignoreWithWarning("resolution_delay", "second_resolution_timeout",
                    "first_address_family_count");
            happyEyeballs.get().finish();
            if (attemptDelay.toMillis() < 100 || attemptDelay.toMillis() > 2000) {
                throw map.error("happy_eyeballs", "connection_attempt_delay must be within 100ms..2s");
            }
        }
        if (noIpv4 && noIpv6) {
            throw map.error("no_ipv6", "no_ipv4 and no_ipv6 together leave no address family to connect with");
        }
        Optional<SocketSpeedLimit> speed = map.take("tcp_sock_speed_limit", SocketSpeedLimit::tcp, "tcp_conn_speed_limit", "tcp_conn_limit");
        Optional<SocketSpeedLimit> udpSpeed = map.take("udp_sock_speed_limit", SocketSpeedLimit::udp, "udp_relay_speed_limit", "udp_relay_limit");
        ResolveRedirection redirection = map.take("resolve_redirection", ResolveRedirection::parse)
                .orElse(new ResolveRedirection(List.of()));
        TcpKeepalive keepalive = map.take("tcp_keepalive", TcpKeepalive::parse).orElse(TcpKeepalive.DISABLED);
        TcpMiscOpts tcpMisc = map.take("tcp_misc_opts", TcpMiscOpts::parse).orElse(TcpMiscOpts.NONE);
        Optional<ProxyProtocol> proxyProtocol = map.take("use_proxy_protocol", ProxyProtocol::parse);
        map.ignoreWithWarning("shared_logger", "udp_misc_opts",
                "bind_interface", "cache_ipv4", "cache_ipv6", "bind_foreign", "bind_foreign_port",
                "enable_path_selection");
        Map<String, String> tags = map.take("extra_metrics_tags", MetricsTags::parse).orElse(Map.of());
        map.finish();
        return new DirectFixedEscaperConfig(name, floating, resolver, strategy, bindIps, filter, noIpv4, noIpv6,
                tcpConnect, attemptDelay, speed, udpSpeed, redirection, tags,
                keepalive, tcpMisc, proxyProtocol);
    }
}
