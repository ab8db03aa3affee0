package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.DstFilters;
import io.g3k.config.IpLiteral;
import io.g3k.config.LoadContext;
import io.g3k.config.PortRange;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type: socks_proxy}: SOCKS4, 4a and 5 CONNECT, and SOCKS5 UDP ASSOCIATE. {@code udp_bind_port_range} keeps
 * the client-facing UDP sockets (the address an ASSOCIATE reply names) within ports a firewall or a Service opens.
 */
public record SocksProxyServerConfig(ServerBase base, boolean enableUdpAssociate,
                                     Duration negotiationTimeout, Duration udpClientInitialTimeout,
                                     List<InetAddress> udpBindIpv4, List<InetAddress> udpBindIpv6,
                                     Optional<PortRange> udpBindPortRange, SocketBuffer udpSocketBuffer,
                                     Optional<Map<InetAddress, InetAddress>> transmuteUdpEchoIp, DstFilters dstFilters)
        implements ServerConfig {
    /** {@code udp_socket_buffer}: one size for both directions, or {@code recv} / {@code send} apart. */
    public record SocketBuffer(Optional<Long> recv, Optional<Long> send) {
        static final SocketBuffer DEFAULT = new SocketBuffer(Optional.empty(), Optional.empty());

        static SocketBuffer parse(JsonNode node) {
            if (!node.isObject()) {
                long size = Values.size(node);
                return new SocketBuffer(Optional.of(size), Optional.of(size));
            }
            YamlMap map = new YamlMap(node, "udp_socket_buffer", new java.util.ArrayList<>());
            var buffer = new SocketBuffer(map.take("recv", Values::size, "receive"), map.take("send", Values::size));
            map.finish();
            return buffer;
        }
    }

    public static final String TYPE = "socks_proxy";

    @Override
    public String type() {
        return TYPE;
    }

    static SocksProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.proxy(name, map);
        var config = new SocksProxyServerConfig(base,
                map.bool("enable_udp_associate", false, "use_udp_associate", "udp_associate_enabled"),
                map.take("negotiation_timeout", Values::duration).orElse(Duration.ofSeconds(4)),
                map.take("udp_client_initial_timeout", Values::duration).orElse(Duration.ofSeconds(30)),
                map.take("udp_bind_ipv4", n -> bindIps(n, Inet4Address.class)).orElse(List.of()),
                map.take("udp_bind_ipv6", n -> bindIps(n, Inet6Address.class)).orElse(List.of()),
                map.take("udp_bind_port_range", PortRange::parse),
                map.take("udp_socket_buffer", SocketBuffer::parse).orElse(SocketBuffer.DEFAULT),
                map.take("transmute_udp_echo_ip", SocksProxyServerConfig::transmute, "auto_reply_local_ip_map")
                        .flatMap(m -> m),
                DstFilters.parse(map));
        map.finish();
        return config;
    }

    /** One address or a list, each of the family the key names; a session binds one of them. */
    private static List<InetAddress> bindIps(JsonNode node, Class<? extends InetAddress> family) {
        return Values.items(node).stream().map(n -> IpLiteral.require(Values.string(n), family)).toList();
    }

    /**
     * As g3proxy: a map from the relay's local IP to the IP its ASSOCIATE reply names, any IP not in it replied as
     * unspecified (0.0.0.0 or ::, "where you sent the request"); {@code true} is the empty map, {@code false} off.
     */
    private static Optional<Map<InetAddress, InetAddress>> transmute(JsonNode node) {
        var word = Values.boolWord(node);
        if (word.isPresent()) {
            return word.get() ? Optional.of(Map.of()) : Optional.empty();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map of IP to IP");
        }
        Map<InetAddress, InetAddress> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(IpLiteral.require(e.getKey()), IpLiteral.require(Values.string(e.getValue()))));
        return Optional.of(Map.copyOf(out));
    }
}
