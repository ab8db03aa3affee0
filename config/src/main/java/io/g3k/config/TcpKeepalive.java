package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * g3proxy's {@code tcp_keepalive}: off by default. {@code true} turns it on with a 60 s idle time, a duration turns
 * it on with that idle time, a map sets {@code enable}, {@code idle_time}, {@code probe_interval} and
 * {@code probe_count} (a map without {@code enable: true} leaves it off, as in g3proxy). Unset probe settings are
 * the kernel's.
 */
public record TcpKeepalive(boolean enabled, Duration idleTime, Optional<Duration> probeInterval,
                           OptionalInt probeCount) {
    private static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
    public static final TcpKeepalive DISABLED = new TcpKeepalive(false, DEFAULT_IDLE, Optional.empty(), OptionalInt.empty());

    public TcpKeepalive {
        for (Duration d : new Duration[] {idleTime, probeInterval.orElse(Duration.ofSeconds(1))}) {
            if (d.toSeconds() < 1 || d.toSeconds() > 32767) {
                throw new IllegalArgumentException("keepalive times are whole seconds within 1s..32767s, got " + d);
            }
        }
        if (probeCount.isPresent() && (probeCount.getAsInt() < 1 || probeCount.getAsInt() > 127)) {
            throw new IllegalArgumentException("probe_count must be within 1..127, got " + probeCount.getAsInt());
        }
    }

    /**
     * These settings adjusted by a user's {@code tcp_remote_keepalive}, as g3proxy does: on if either is, with the
     * shorter idle time and, where both set them, the shorter probe interval and the smaller probe count.
     */
    public TcpKeepalive adjustTo(TcpKeepalive other) {
        if (!enabled && !other.enabled) {
            return DISABLED;
        }
        Optional<Duration> interval = probeInterval.isEmpty() ? other.probeInterval : other.probeInterval.isEmpty()
                ? probeInterval : Optional.of(min(probeInterval.get(), other.probeInterval.get()));
        OptionalInt count = probeCount.isEmpty() ? other.probeCount : other.probeCount.isEmpty() ? probeCount
                : OptionalInt.of(Math.min(probeCount.getAsInt(), other.probeCount.getAsInt()));
        return new TcpKeepalive(true, min(idleTime, other.idleTime), interval, count);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    public static TcpKeepalive parse(JsonNode node) {
        var word = Values.boolWord(node);
        if (word.isPresent()) {
            return word.get() ? new TcpKeepalive(true, DEFAULT_IDLE, Optional.empty(), OptionalInt.empty()) : DISABLED;
        }
        if (!node.isObject()) {
            return new TcpKeepalive(true, Values.duration(node), Optional.empty(), OptionalInt.empty());
        }
        YamlMap map = new YamlMap(node, "tcp_keepalive", new ArrayList<>());
        var keepalive = new TcpKeepalive(map.bool("enable", false),
                map.take("idle_time", Values::duration).orElse(DEFAULT_IDLE),
                map.take("probe_interval", Values::duration), map.takeInt("probe_count", Values::integer));
        map.finish();
        return keepalive;
    }
}
