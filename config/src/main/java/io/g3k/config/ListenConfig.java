package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Optional;

/**
 * A TCP/UDP listen spec: a port, {@code "ip:port"}, {@code "[ip]:port"}, or a map with {@code address} and options:
 * {@code backlog}, {@code ipv6_only}, {@code instance} (listening sockets, SO_REUSEPORT) or {@code scale} (that many
 * per CPU), {@code interface} (SO_BINDTODEVICE), {@code max_segment_size} and {@code netfilter_mark} (on the listening
 * socket, so the handshake and every accepted connection have them), {@code keepalive} (on accepted connections).
 *
 * @param listenOptions {@code max_segment_size} and {@code netfilter_mark}, in the form of {@code tcp_misc_opts}
 */
public record ListenConfig(InetSocketAddress address, int backlog, boolean ipv6Only, int instance, double scale,
                           Optional<String> interfaceName, TcpMiscOpts listenOptions, TcpKeepalive keepalive) {
    public static final int DEFAULT_BACKLOG = 4096;

    public static ListenConfig parse(JsonNode node, String location, java.util.List<String> warnings) {
        if (node.isIntegralNumber() || node.isTextual()) {
            return new ListenConfig(address(node), DEFAULT_BACKLOG, false, 1, 0, Optional.empty(), TcpMiscOpts.NONE,
                    TcpKeepalive.DISABLED);
        }
        YamlMap map = new YamlMap(node, location, warnings);
        InetSocketAddress address = map.take("address", ListenConfig::address, "addr").orElse(new InetSocketAddress(0));
        int backlog = map.take("backlog", Values::integer).orElse(DEFAULT_BACKLOG);
        boolean ipv6Only = map.bool("ipv6_only", false, "ipv6only");
        int instance = map.take("instance", Values::positiveInt, "instance_count").orElse(1);
        double scale = map.take("scale", ListenConfig::scale).orElse(0.0);
        Optional<String> device = map.take("interface", ListenConfig::interfaceName);
        TcpMiscOpts listenOptions = TcpMiscOpts.listen(map.takeInt("max_segment_size", TcpMiscOpts::segmentSize, "mss"),
                map.takeInt("netfilter_mark", TcpMiscOpts::mark, "fwmark", "mark"));
        TcpKeepalive keepalive = map.take("keepalive", TcpKeepalive::parse).orElse(TcpKeepalive.DISABLED);
        map.ignoreWithWarning("follow_cpu_affinity");
        map.finish();
        return new ListenConfig(address, backlog < 8 ? DEFAULT_BACKLOG : backlog, ipv6Only, instance, scale, device,
                listenOptions, keepalive);
    }

    /** The listening sockets to open: {@code instance}, or with {@code scale} that many per CPU (rounded up). */
    public int instances(int cpus) {
        return scale > 0 ? Math.max(instance, (int) Math.ceil(cpus * scale)) : instance;
    }

    /** g3proxy's scale: a number, a percentage ({@code 50%}) or a fraction ({@code 3/4}), more than 0. */
    private static double scale(JsonNode node) {
        double value;
        String text = node.isNumber() ? node.asText() : Values.string(node).strip();
        try {
            value = Values.proportion(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a scale is a number, a percentage or a fraction, got '" + text + "'");
        }
        if (!(value > 0 && value <= 64)) {
            throw new IllegalArgumentException("scale " + text + " is not within (0, 64] listeners per CPU");
        }
        return value;
    }

    /** A network interface name as the kernel takes it (at most 15 characters). */
    private static String interfaceName(JsonNode node) {
        String name = Values.string(node).strip();
        if (!name.matches("[A-Za-z0-9_.:@-]{1,15}")) {
            throw new IllegalArgumentException("'" + name + "' is not an interface name (1-15 letters, digits, _.:@-)");
        }
        return name;
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
