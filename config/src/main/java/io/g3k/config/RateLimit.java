package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Locale;

/** A rate quota such as {@code 1000/s}, {@code 60/m}, {@code 10/h}, or {@code {rate: 100/s, max_burst: 200}}. */
public record RateLimit(long permits, Duration per, long maxBurst) {
    public static RateLimit parse(JsonNode node) {
        if (node.isObject()) {
            YamlMap map = new YamlMap(node, "rate limit", new ArrayList<>());
            RateLimit rate = map.require("rate", RateLimit::parse);
            long burst = map.take("max_burst", n -> (long) Values.positiveInt(n)).orElse(rate.maxBurst());
            map.finish();
            return new RateLimit(rate.permits(), rate.per(), burst);
        }
        String text = Values.string(node).trim().toLowerCase(Locale.ROOT);
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("invalid rate '" + text + "' (expected e.g. 1000/s)");
        }
        long permits;
        try {
            permits = Long.parseLong(text.substring(0, slash).trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid rate '" + text + "'");
        }
        Duration per = switch (text.substring(slash + 1).trim()) {
            case "s", "sec", "second" -> Duration.ofSeconds(1);
            case "m", "min", "minute" -> Duration.ofMinutes(1);
            case "h", "hour" -> Duration.ofHours(1);
            default -> throw new IllegalArgumentException("invalid rate unit in '" + text + "' (s, m or h)");
        };
        if (permits <= 0) {
            throw new IllegalArgumentException("rate must be positive: '" + text + "'");
        }
        return new RateLimit(permits, per, permits);
    }
}
