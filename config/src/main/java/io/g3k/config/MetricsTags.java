package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code extra_metrics_tags}: static tags a server or escaper adds to its metrics (and a server to its users'),
 * a map of name to value. Names and values keep to letters, digits and {@code _ - . /}, so they pass as they are
 * in a DogStatsD tag and need only {@code _} for the other characters in a Prometheus label name; g3k's own tag
 * names are refused (a second {@code server} tag would split one series in two).
 */
public final class MetricsTags {
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_.\\-/]+");
    private static final Set<String> RESERVED = Set.of("daemon_group", "stat_id", "server", "online", "escaper",
            "transport", "user_group", "user", "user_type", "request", "connection", "site", "resolver", "rr_type",
            "quantile");

    private MetricsTags() {}

    public static Map<String, String> parse(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map of tag name to value, got " + YamlMap.describe(node));
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (var e : node.properties()) {
            String name = e.getKey();
            String value = Values.string(e.getValue());
            if (!TOKEN.matcher(name).matches() || !TOKEN.matcher(value).matches()) {
                throw new IllegalArgumentException("tag '" + name + "': '" + value
                        + "': names and values are letters, digits and _ - . / only");
            }
            if (RESERVED.contains(name)) {
                throw new IllegalArgumentException("tag '" + name + "' is one g3k sets itself");
            }
            tags.put(name, value);
        }
        return Collections.unmodifiableMap(tags);
    }
}
