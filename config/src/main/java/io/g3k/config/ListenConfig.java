package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;

/** A TCP/UDP listen spec: a port, {@code "ip:port"}, {@code "[ip]:port"}, or a map with {@code address} and options. */
public record ListenConfig(InetSocketAddress address, int backlog, boolean ipv6Only, int instance) {
    public static final int DEFAULT_BACKLOG = 4096;

    public static ListenConfig parse(JsonNode node, String location) {
        if (node.isIntegralNumber() || node.isTextual()) {
            return new ListenConfig(address(node), DEFAULT_BACKLOG, false, 1);
        }
        YamlMap map = new YamlMap(node, location, new ArrayList<>());
        InetSocketAddress address = map.take("address", ListenConfig::address, "addr").orElse(new InetSocketAddress(0));
        int backlog = map.take("backlog", Values::integer).orElse(DEFAULT_BACKLOG);
        boolean ipv6Only = map.bool("ipv6_only", false);
        int instance = map.take("instance", Values::positiveInt).orElse(1);
        map.ignoreWithWarning("interface", "keepalive", "max_segment_size", "mss", "netfilter_mark", "scale",
                "follow_cpu_affinity");
        map.finish();
        return new ListenConfig(address, backlog < 8 ? DEFAULT_BACKLOG : backlog, ipv6Only, instance);
    }

    static InetSocketAddress address(JsonNode node) {
        if (node.isIntegralNumber()) {
            return new InetSocketAddress(Values.port(node));
        }
        String text = Values.string(node).trim();
        if (text.matches("\\d+")) {
            return new InetSocketAddress(Values.port(node));
        }
        UpstreamAddr addr = UpstreamAddr.parse(text, -1, 0);
        InetAddress ip = addr.ip().orElseThrow(
                () -> new IllegalArgumentException("listen address must be an IP address, got '" + text + "'"));
        return new InetSocketAddress(ip, addr.port());
    }

    @Override
    public String toString() {
        return new UpstreamAddr(address.getAddress().getHostAddress(), address.getPort()).toString();
    }
}
