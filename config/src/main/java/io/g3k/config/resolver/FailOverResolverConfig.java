package io.g3k.config.resolver;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;

/**
 * {@code fail_over}: ask {@code primary}; if it fails, or has not answered within {@code fallback_delay}, ask
 * {@code standby} too and take the first answer.
 */
public record FailOverResolverConfig(String name, String primary, String standby, Duration fallbackDelay)
        implements ResolverConfig {
    public static final String TYPE = "fail_over";

    @Override
    public String type() {
        return TYPE;
    }

    static FailOverResolverConfig parse(String name, YamlMap map) {
        var config = new FailOverResolverConfig(name, map.requireString("primary"), map.requireString("standby"),
                map.take("fallback_delay", Values::duration).orElse(Duration.ofMillis(100)));
        map.ignoreWithWarning("negative_ttl", "retry_empty_record", "graceful_stop_wait", "protective_query_timeout");
        map.finish();
        return config;
    }
}
