package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpLiteral;
import io.g3k.config.LoadContext;
import io.g3k.config.PortRange;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code type: socks_proxy}: SOCKS4, 4a and 5 CONNECT, and SOCKS5 UDP ASSOCIATE. {@code udp_bind_port_range} keeps
 * the client-facing UDP sockets (the address an ASSOCIATE reply names) within ports a firewall or a Service opens.
 */
public record SocksProxyServerConfig(ServerBase base, boolean enableUdpAssociate,
                                     Duration negotiationTimeout, Duration udpClientInitialTimeout,
                                     Optional<InetAddress> udpBindIpv4, Optional<InetAddress> udpBindIpv6,
                                     Optional<PortRange> udpBindPortRange, Optional<Long> udpSocketBuffer, Map<InetAddress, InetAddress> transmuteUdpEchoIp)
        implements ServerConfig {
    public static final String TYPE = "socks_proxy";

    @Override
    public String type() {
        return TYPE;
    }

    static SocksProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.proxy(name, map);
        var config = new SocksProxyServerConfig(base,
                map.bool("enable_udp_associate", false, "use_udp_associate"),
                map.take("negotiation_timeout", Values::duration).orElse(Duration.ofSeconds(4)),
                map.take("udp_client_initial_timeout", Values::duration).orElse(Duration.ofSeconds(30)),
                map.take("udp_bind_ipv4", n -> IpLiteral.require(Values.string(n))),
                map.take("udp_bind_ipv6", n -> IpLiteral.require(Values.string(n))),
                map.take("udp_bind_port_range", PortRange::parse),
                map.take("udp_socket_buffer", SocksProxyServerConfig::socketBuffer),
                map.take("transmute_udp_echo_ip", SocksProxyServerConfig::transmute).orElse(Map.of()));
        map.finish();
        return config;
    }

    private static long socketBuffer(JsonNode node) {
        // g3proxy also accepts {recv: .., send: ..}; one size for both directions is what the guide shows
        if (node.isObject()) {
            throw new IllegalArgumentException("only a single size is supported, e.g. 512K");
        }
        return Values.size(node);
    }

    private static Map<InetAddress, InetAddress> transmute(JsonNode node) {
        var word = Values.boolWord(node);
        if (word.isPresent()) {
            if (word.get()) {
                throw new IllegalArgumentException("'true' (use the local address) is not supported; give a map");
            }
            return Map.of();
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map of IP to IP");
        }
        Map<InetAddress, InetAddress> out = new LinkedHashMap<>();
        node.properties().forEach(e -> out.put(IpLiteral.require(e.getKey()), IpLiteral.require(Values.string(e.getValue()))));
        return Map.copyOf(out);
    }
}
