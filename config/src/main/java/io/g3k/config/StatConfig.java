package io.g3k.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * {@code stat:}: where StatsD metrics go (UDP address or Unix datagram socket), their name prefix, how often they are
 * emitted, the local address of the UDP socket ({@code bind_ip}) and the largest datagram ({@code max_segment_size}:
 * 1400 bytes over UDP, 4096 over a Unix socket by default). Absent section = no StatsD output.
 */
public record StatConfig(Optional<InetSocketAddress> udp, Optional<Path> unix, String prefix, Duration emitInterval,
                         Optional<InetAddress> bindIp, int maxSegmentSize) {
    static StatConfig parse(YamlMap map, Path baseDir) {
        Optional<InetSocketAddress> udp = map.take("target_udp", StatConfig::udp);
        Optional<Path> unix = map.string("target_unix").map(baseDir::resolve);
        Optional<YamlMap> target = map.map("target");
        if (target.isPresent()) {
            udp = target.get().take("udp", StatConfig::udp);
            unix = target.get().string("unix").map(baseDir::resolve);
            target.get().finish();
        }
        if (udp.isPresent() && unix.isPresent()) {
            throw map.error("target", "give either udp or unix, not both");
        }
        if (udp.isEmpty() && unix.isEmpty()) {
            udp = Optional.of(new InetSocketAddress("127.0.0.1", 8125));
        }
        String prefix = map.string("prefix").orElse("g3proxy");
        if (!prefix.matches("[A-Za-z0-9_.-]+")) {
            throw map.error("prefix", "letters, digits, '.', '-' and '_' only");
        }
        Duration interval = map.take("emit_interval", Values::duration, "emit_duration").orElse(Duration.ofMillis(200));
        if (interval.toMillis() < 10) {
            throw map.error("emit_interval", "must be at least 10ms");
        }
        Optional<InetAddress> bindIp = map.take("bind_ip", n -> IpLiteral.require(Values.string(n)));
        if (bindIp.isPresent() && unix.isPresent()) {
            throw map.error("bind_ip", "applies to a UDP target, not a Unix socket");
        }
        long segment = map.take("max_segment_size", Values::size).orElse(unix.isPresent() ? 4096L : 1400L);
        if (segment < 512 || segment > 65507) {
            throw map.error("max_segment_size", "must be within 512..65507 bytes, got " + segment);
        }
        map.ignoreWithWarning("cache_size"); // g3k builds each emit's datagrams directly, with no buffer cache
        map.finish();
        return new StatConfig(udp, unix, prefix, interval, bindIp, (int) segment);
    }

    private static InetSocketAddress udp(com.fasterxml.jackson.databind.JsonNode node) {
        UpstreamAddr addr = UpstreamAddr.parse(Values.string(node), 8125);
        return new InetSocketAddress(addr.ip().orElseThrow(
                () -> new IllegalArgumentException("StatsD address must be an IP address")), addr.port());
    }
}
