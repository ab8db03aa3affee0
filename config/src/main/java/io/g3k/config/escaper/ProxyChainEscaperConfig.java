package io.g3k.config.escaper;

import io.g3k.config.IpLiteral;
import io.g3k.config.MetricsTags;
import io.g3k.config.ProxyProtocol;
import io.g3k.config.SocketSpeedLimit;
import io.g3k.config.TcpConnect;
import io.g3k.config.TcpKeepalive;
import io.g3k.config.TcpMiscOpts;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import io.g3k.config.server.StreamUpstream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * {@code proxy_http}, {@code proxy_https}, {@code proxy_socks5}, {@code proxy_socks5s}: reach targets through a
 * next proxy (CONNECT, or SOCKS5 CONNECT), optionally with Basic / username-password authentication and, for the
 * https and socks5s types, TLS to the proxy. The four types share one shape; {@code protocol} tells them apart.
 */
public record ProxyChainEscaperConfig(String name, Protocol protocol, StreamUpstream proxyAddr,
                                      Optional<String> resolver, Optional<String> username, Optional<String> password,
                                      Optional<TlsClientConfig> tlsClient, Optional<String> tlsName,
                                      Duration peerNegotiationTimeout, HttpForwardCapability httpForwardCapability,
                                      Optional<SocketSpeedLimit> tcpSockSpeedLimit, Map<String, String> extraMetricsTags,
                                      TcpKeepalive tcpKeepalive, TcpMiscOpts tcpMiscOpts,
                                      Optional<InetAddress> bindIpv4, Optional<InetAddress> bindIpv6,
                                      boolean passProxyUserid, TcpConnect tcpConnect,
                                      Optional<ProxyProtocol> useProxyProtocol)
        implements EscaperConfig {
    public enum Protocol { HTTP, HTTPS, SOCKS5, SOCKS5S }

    /**
     * Which forwarded requests a next HTTP proxy gets as they are, in absolute form: plain http always; https and
     * ftp only when set (otherwise https goes through a CONNECT tunnel with TLS done here).
     */
    public record HttpForwardCapability(boolean forwardHttps, boolean forwardFtp) {
        public static final HttpForwardCapability NONE = new HttpForwardCapability(false, false);

        static HttpForwardCapability parse(YamlMap map) {
            var capability = new HttpForwardCapability(map.bool("forward_https", false),
                    map.bool("forward_ftp", false));
            map.finish();
            return capability;
        }
    }

    @Override
    public String type() {
        return switch (protocol) {
            case HTTP -> "proxy_http";
            case HTTPS -> "proxy_https";
            case SOCKS5 -> "proxy_socks5";
            case SOCKS5S -> "proxy_socks5s";
        };
    }

    /** Whether the connection to the next proxy is TLS (proxy_https, proxy_socks5s). */
    public boolean tls() {
        return protocol == Protocol.HTTPS || protocol == Protocol.SOCKS5S;
    }

    static ProxyChainEscaperConfig parse(Protocol protocol, String name, YamlMap map, Path baseDir) {
        int defaultPort = protocol == Protocol.SOCKS5 || protocol == Protocol.SOCKS5S ? 1080 : 3128;
        StreamUpstream addrs = StreamUpstream.parseAddresses(map, "proxy_addr", "proxy_addr_pick_policy", defaultPort);
        Optional<TlsClientConfig> tls = map.map("tls_client").map(m -> TlsClientConfig.parse(m, baseDir));
        boolean overTls = protocol == Protocol.HTTPS || protocol == Protocol.SOCKS5S;
        boolean httpProxy = protocol == Protocol.HTTP || protocol == Protocol.HTTPS;
        if (overTls && tls.isEmpty()) {
            throw map.error("tls_client", "is required for proxy_https and proxy_socks5s ({} for the defaults)");
        }
        var config = new ProxyChainEscaperConfig(name, protocol, addrs, map.string("resolver"),
                map.string("proxy_username", "username", "proxy_user"),
                map.string("proxy_password", "password", "proxy_passwd"),
                overTls ? tls : Optional.empty(), map.string("tls_name"),
                map.take("peer_negotiation_timeout", Values::duration).orElse(Duration.ofSeconds(10)),
                httpProxy ? map.map("http_forward_capability").map(HttpForwardCapability::parse)
                        .orElse(HttpForwardCapability.NONE) : HttpForwardCapability.NONE,
                map.take("tcp_sock_speed_limit", SocketSpeedLimit::tcp, "tcp_conn_speed_limit", "tcp_conn_limit",
                        "conn_limit"),
                map.take("extra_metrics_tags", MetricsTags::parse).orElse(Map.of()),
                map.take("tcp_keepalive", TcpKeepalive::parse).orElse(TcpKeepalive.DISABLED),
                map.take("tcp_misc_opts", TcpMiscOpts::parse).orElse(TcpMiscOpts.NONE),
                map.take("bind_ipv4", n -> IpLiteral.require(Values.string(n), Inet4Address.class)),
                map.take("bind_ipv6", n -> IpLiteral.require(Values.string(n), Inet6Address.class)),
                httpProxy && map.bool("pass_proxy_userid", false),
                map.take("tcp_connect", TcpConnect::parse).orElse(TcpConnect.DEFAULT),
                map.take("use_proxy_protocol", ProxyProtocol::parse));
        if (config.username().isPresent() != config.password().isPresent()) {
            throw map.error("proxy_password", "proxy_username and proxy_password go together");
        }
        if (addrs.upstreams().stream().anyMatch(w -> w.addr().ip().isEmpty()) && config.resolver().isEmpty()) {
            throw map.error("resolver", "is required when proxy_addr holds a domain name");
        }
        if (!httpProxy) {
            map.ignoreWithWarning("pass_proxy_userid"); // g3proxy passes the user id to HTTP proxies only
        }
        map.ignoreWithWarning("shared_logger",
                "http_connect_rsp_header_max_size", "udp_sock_speed_limit", "resolve_strategy", "no_ipv4", "no_ipv6",
                "happy_eyeballs", "bind_interface");
        if (!httpProxy) {
            map.ignoreWithWarning("transmute_udp_peer_ip", "end_on_control_closed", "udp_misc_opts");
        }
        map.finish();
        return config;
    }
}
