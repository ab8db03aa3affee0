package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;

/**
 * g3proxy's global speed limit, shared by all of a user's connections in the process ({@code tcp_all_*} and
 * {@code udp_all_*}): {@code replenish_bytes} (for UDP also {@code replenish_packets}) added every
 * {@code replenish_interval} (1 s by default), up to {@code max_burst_bytes} / {@code max_burst_packets} saved (at least
 * one interval's worth). A scalar is that many bytes a second ({@code 10M}, {@code 10M/s}). A zero count means no
 * limit on that count.
 */
public record GlobalSpeedLimit(Duration replenishInterval, long replenishBytes, long maxBurstBytes,
                               long replenishPackets, long maxBurstPackets) {
    /** For TCP ({@code tcp_all_upload_speed_limit}, {@code tcp_all_download_speed_limit}): bytes only. */
    public static GlobalSpeedLimit stream(JsonNode node) {
        return parse(node, false);
    }

    /** For UDP ({@code udp_all_upload_speed_limit}, {@code udp_all_download_speed_limit}): bytes and packets. */
    public static GlobalSpeedLimit datagram(JsonNode node) {
        return parse(node, true);
    }

    /** The byte budget as bytes per second, for shapers that count per second; 0 stays "no limit". */
    public long bytesPerSecond() {
        return replenishBytes * 1_000_000_000L / replenishInterval.toNanos();
    }

    private static GlobalSpeedLimit parse(JsonNode node, boolean datagram) {
        if (!node.isObject()) {
            long bytes = Values.speedLimit(node);
            if (bytes <= 0) {
                throw new IllegalArgumentException("must be positive; leave the key out for no limit");
            }
            return new GlobalSpeedLimit(Duration.ofSeconds(1), bytes, bytes, 0, 0);
        }
        YamlMap map = new YamlMap(node, "speed limit", new ArrayList<>());
        Duration interval = map.take("replenish_interval", Values::duration).orElse(Duration.ofSeconds(1));
        if (interval.toMillis() < 1) {
            throw new IllegalArgumentException("replenish_interval must be at least 1ms");
        }
        long bytes = map.take("replenish_bytes", Values::size).orElse(0L);
        long burstBytes = map.take("max_burst_bytes", Values::size).orElse(0L);
        long packets = datagram ? map.take("replenish_packets", Values::size).orElse(0L) : 0;
        long burstPackets = datagram ? map.take("max_burst_packets", Values::size).orElse(0L) : 0;
        try {
            map.finish();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage().replace("speed limit: ", ""));
        }
        if (bytes == 0 && packets == 0) {
            throw new IllegalArgumentException(datagram ? "replenish_bytes or replenish_packets must be set"
                    : "replenish_bytes must be set");
        }
        return new GlobalSpeedLimit(interval, bytes, Math.max(bytes, burstBytes), packets,
                Math.max(packets, burstPackets));
    }
}
