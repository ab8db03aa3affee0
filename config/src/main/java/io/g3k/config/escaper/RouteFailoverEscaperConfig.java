package io.g3k.config.escaper;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.List;

/** {@code route_failover}: try {@code primary_next}; if it has not connected within {@code fallback_delay}, race the standby. */
public record RouteFailoverEscaperConfig(String name, String primaryNext, String standbyNext, Duration fallbackDelay)
        implements EscaperConfig {
    public static final String TYPE = "route_failover";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> nextEscapers() {
        return List.of(primaryNext, standbyNext);
    }

    static RouteFailoverEscaperConfig parse(String name, YamlMap map) {
        var config = new RouteFailoverEscaperConfig(name, map.requireString("primary_next", "primary"),
                map.requireString("standby_next", "standby"),
                map.take("fallback_delay", Values::duration, "delay").orElse(Duration.ofMillis(100)));
        map.finish();
        return config;
    }
}
