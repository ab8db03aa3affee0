package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;

/**
 * g3proxy's per-socket speed limit ({@code tcp_sock_speed_limit}, {@code udp_sock_speed_limit}): budgets per time
 * slice of 2^{@code shift_millis} ms, north (upload, client to target) and south (download); packets only for UDP.
 * A scalar sets both byte budgets with a 1024 ms slice ({@code 10M} or {@code 10M/s}). A zero budget means no limit.
 */
public record SocketSpeedLimit(int shiftMillis, long northBytes, long southBytes, long northPackets,
                               long southPackets) {
    private static final int MAX_SHIFT = 12;

    public Duration slice() {
        return Duration.ofMillis(1L << shiftMillis);
    }

    /** A byte budget as bytes per second, for shapers that count per second; 0 stays "no limit". */
    public long perSecond(long budget) {
        return budget * 1000 / (1L << shiftMillis);
    }

    public static SocketSpeedLimit tcp(JsonNode node) {
        return parse(node, false);
    }

    public static SocketSpeedLimit udp(JsonNode node) {
        return parse(node, true);
    }

    private static SocketSpeedLimit parse(JsonNode node, boolean udp) {
        if (!node.isObject()) {
            long bytes = Values.speedLimit(node);
            if (bytes <= 0) {
                throw new IllegalArgumentException("must be positive; leave the key out for no limit");
            }
            return new SocketSpeedLimit(10, bytes, bytes, 0, 0);
        }
        YamlMap map = new YamlMap(node, "speed limit", new ArrayList<>());
        int shift = map.take("shift_millis", Values::integer, "shift").orElse(10);
        if (shift < 0 || shift > MAX_SHIFT) {
            throw new IllegalArgumentException("shift_millis must be in 0..12 (a slice of 2^N ms)");
        }
        var limit = udp
                ? new SocketSpeedLimit(shift, bytes(map, "upload_bytes", "north_bytes"),
                        bytes(map, "download_bytes", "south_bytes"), count(map, "upload_packets", "north_packets"),
                        count(map, "download_packets", "south_packets"))
                : new SocketSpeedLimit(shift, bytes(map, "upload", "north", "upload_bytes", "north_bytes"),
                        bytes(map, "download", "south", "download_bytes", "south_bytes"), 0, 0);
        try {
            map.finish();
        } catch (ConfigException e) {
            throw new IllegalArgumentException(e.getMessage().replace("speed limit: ", ""));
        }
        return limit;
    }

    private static long bytes(YamlMap map, String key, String... aliases) {
        return map.take(key, Values::size, aliases).orElse(0L);
    }

    private static long count(YamlMap map, String key, String... aliases) {
        return map.take(key, Values::integer, aliases).map(Integer::longValue).orElse(0L);
    }
}
