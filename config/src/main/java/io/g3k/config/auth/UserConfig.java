package io.g3k.config.auth;

import io.g3k.config.DstFilters;
import io.g3k.config.HttpKeepAlive;
import io.g3k.config.NetworkFilter;
import io.g3k.config.RateLimit;
import io.g3k.config.ResolveStrategy;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** A user (static, or dynamic from a source): credentials, ACLs, limits, explicit sites, resolution tweaks. */
public record UserConfig(String name, PasswordToken token, Optional<Instant> expire,
                         DstFilters dstFilters,
                         Optional<RateLimit> tcpConnRateLimit, Optional<RateLimit> requestRateLimit,
                         OptionalInt requestMaxAlive, Optional<SocketSpeedLimit> tcpSockSpeedLimit,
                         Optional<SocketSpeedLimit> udpSockSpeedLimit, GlobalSpeedLimits globalSpeedLimits,
                         List<ExplicitSite> explicitSites, ResolveRedirection resolveRedirection,
                         Optional<ResolveStrategy> resolveStrategy, OptionalInt taskIdleMaxCount,
                         Optional<TcpKeepalive> tcpRemoteKeepalive, Optional<TcpMiscOpts> tcpRemoteMiscOpts,
                         Optional<TcpMiscOpts> tcpClientMiscOpts, Optional<HttpKeepAlive> httpUpstreamKeepalive,
                         Optional<Duration> httpRspHeaderRecvTimeout, OptionalInt logUriMaxChars,
                         Optional<NetworkFilter> ingressNetworkFilter, Optional<ProxyRequestFilter> proxyRequestFilter,
                         Optional<UserAgentFilter> httpUserAgentFilter,
                         Optional<Duration> blockAndDelay, Optional<Boolean> socksUseUdpAssociate, UserAudit audit) {
    static UserConfig parse(YamlMap map) {
        String name = map.requireString("name");
        if (name.isEmpty() || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            throw map.error("name", "must be 1..255 bytes");
        }
        PasswordToken token = map.has("token")
                ? map.take("token", PasswordToken::parse).orElseThrow()
                : new PasswordToken.Forbidden();
        Optional<Instant> expire = map.take("expire", n -> Instant.parse(Values.string(n)));
        DstFilters dstFilters = DstFilters.parse(map);
        Optional<RateLimit> connRate = map.take("tcp_conn_rate_limit", RateLimit::parse, "connection_rate_limit");
        Optional<RateLimit> requestRate = map.take("request_rate_limit", RateLimit::parse, "request_limit_quota");
        OptionalInt maxAlive = map.takeInt("request_max_alive", Values::positiveInt);
        Optional<SocketSpeedLimit> speed = map.take("tcp_sock_speed_limit", SocketSpeedLimit::tcp, "tcp_conn_speed_limit", "tcp_conn_limit");
        Optional<SocketSpeedLimit> udpSpeed = map.take("udp_sock_speed_limit", SocketSpeedLimit::udp, "udp_relay_speed_limit", "udp_relay_limit");
        GlobalSpeedLimits globalSpeed = GlobalSpeedLimits.parse(map);
        List<ExplicitSite> sites = new ArrayList<>();
        map.take("explicit_sites").ifPresent(node -> {
            for (int i = 0; i < node.size(); i++) {
                sites.add(ExplicitSite.parse(new YamlMap(node.get(i), map.location() + " explicit_sites[" + i + "]",
                        map.warnings())));
            }
        });
        ResolveRedirection redirection = map.take("resolve_redirection", ResolveRedirection::parse)
                .orElse(ResolveRedirection.none());
        Optional<ResolveStrategy> strategy = map.take("resolve_strategy",
                n -> ResolveStrategy.parse(n, map.location() + " key 'resolve_strategy'"));
        OptionalInt idleMaxCount = map.takeInt("task_idle_max_count", Values::positiveInt);
        Optional<TcpKeepalive> remoteKeepalive = map.take("tcp_remote_keepalive", TcpKeepalive::parse);
        Optional<TcpMiscOpts> remoteMisc = map.take("tcp_remote_misc_opts", TcpMiscOpts::parse);
        Optional<TcpMiscOpts> clientMisc = map.take("tcp_client_misc_opts", TcpMiscOpts::parse);
        Optional<HttpKeepAlive> upstreamKeepalive = map.take("http_upstream_keepalive", HttpKeepAlive::parse);
        Optional<Duration> rspHeaderTimeout = map.take("http_rsp_header_recv_timeout", Values::duration);
        OptionalInt logUriMaxChars = map.takeInt("log_uri_max_chars", Values::positiveInt, "uri_log_max_chars");
        Optional<NetworkFilter> ingress = map.take("ingress_network_filter", NetworkFilter::parseIngress,
                "ingress_net_filter");
        Optional<ProxyRequestFilter> requests = map.take("proxy_request_filter", ProxyRequestFilter::parse);
        Optional<UserAgentFilter> userAgents = map.take("http_user_agent_filter", UserAgentFilter::parse);
        Optional<Duration> block = map.take("block_and_delay", Values::duration);
        Optional<Boolean> udpAssociate = map.take("socks_use_udp_associate", Values::bool);
        UserAudit audit = map.map("audit").map(UserAudit::parse).orElse(UserAudit.DEFAULT);
        map.ignoreWithWarning("log_rate_limit", "udp_remote_misc_opts", "udp_client_misc_opts", "tcp_connect",
                "egress_path_id_map", "egress_path_value_map");
        map.finish();
        return new UserConfig(name, token, expire, dstFilters, connRate, requestRate, maxAlive, speed, udpSpeed,
                globalSpeed, List.copyOf(sites), redirection, strategy, idleMaxCount, remoteKeepalive, remoteMisc, clientMisc,
                upstreamKeepalive, rspHeaderTimeout, logUriMaxChars, ingress, requests, userAgents, block, udpAssociate,
                audit);
    }

    /** A dynamic user from a source file: the same schema as a static user. */
    public static UserConfig parseDynamic(com.fasterxml.jackson.databind.JsonNode node, String location,
                                          List<String> warnings) {
        return parse(new YamlMap(node, location, warnings));
    }

    /** A user with only a name and a token (tests, dynamic users without extras). */
    public static UserConfig of(String name, PasswordToken token) {
        return new UserConfig(name, token, Optional.empty(), DstFilters.NONE, Optional.empty(),
                Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), GlobalSpeedLimits.NONE,
                List.of(), ResolveRedirection.none(),
                Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), OptionalInt.empty(), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), UserAudit.DEFAULT);
    }
}
