package io.g3k.config.resolver;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpLiteral;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code type: c-ares}: plain DNS over UDP (TCP on truncation) to the {@code server} list, or to the servers of
 * /etc/resolv.conf when none is given. Answers are cached within the positive/negative TTL bounds.
 */
public record CAresResolverConfig(String name, List<UpstreamAddr> servers, Duration eachTimeout, int eachTries,
                                  Optional<InetAddress> bindIpv4, Optional<InetAddress> bindIpv6,
                                  ResolverCache cache) implements ResolverConfig {
    public static final String TYPE = "c_ares";

    @Override
    public String type() {
        return TYPE;
    }

    static CAresResolverConfig parse(String name, YamlMap map) {
        List<UpstreamAddr> servers = map.take("server", n -> Values.stringList(n).stream()
                .map(s -> checkIp(UpstreamAddr.parse(s, 53))).toList()).orElse(List.of());
        var config = new CAresResolverConfig(name, servers,
                map.take("each_timeout", CAresResolverConfig::millis).orElse(Duration.ofMillis(2000)),
                map.take("each_tries", Values::positiveInt).orElse(3),
                map.take("bind_ipv4", n -> IpLiteral.require(Values.string(n))),
                map.take("bind_ipv6", n -> IpLiteral.require(Values.string(n))),
                ResolverCache.parse(map));
        map.ignoreWithWarning("max_timeout", "udp_max_quires", "round_robin", "socket_send_buffer_size",
                "socket_recv_buffer_size");
        map.finish();
        return config;
    }

    /** c-ares timeouts are milliseconds when given as a bare number, as in g3proxy. */
    static Duration millis(JsonNode node) {
        return node.isNumber() ? Duration.ofMillis(node.longValue()) : Values.duration(node);
    }

    static UpstreamAddr checkIp(UpstreamAddr addr) {
        if (addr.ip().isEmpty()) {
            throw new IllegalArgumentException("DNS server must be an IP address, got '" + addr.host() + "'");
        }
        return addr;
    }
}
