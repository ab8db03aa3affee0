package io.g3k.config.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;

/**
 * {@code icap_connection_pool} of an ICAP service, with g3proxy's defaults: connections are kept open between
 * messages, at most {@code max_idle_count} idle (1024), each closed after {@code idle_timeout} unused (5 min).
 * g3proxy also opens {@code min_idle_count} connections ahead (32), checked every {@code check_interval} (10 s);
 * g3k opens them when messages need them, so those two keys are taken with a warning.
 */
public record IcapConnectionPoolConfig(int maxIdleCount, Duration idleTimeout) {
    public static final IcapConnectionPoolConfig DEFAULT = new IcapConnectionPoolConfig(1024, Duration.ofMinutes(5));

    static IcapConnectionPoolConfig parse(YamlMap map) {
        var config = new IcapConnectionPoolConfig(
                map.take("max_idle_count", IcapConnectionPoolConfig::count).orElse(DEFAULT.maxIdleCount),
                map.take("idle_timeout", Values::duration).orElse(DEFAULT.idleTimeout));
        map.ignoreWithWarning("min_idle_count", "check_interval");
        map.finish();
        return config;
    }

    /** 0 keeps no connection: one per message. */
    private static int count(JsonNode node) {
        int count = Values.integer(node);
        if (count < 0) {
            throw new IllegalArgumentException("must not be negative, got " + count);
        }
        return count;
    }
}
