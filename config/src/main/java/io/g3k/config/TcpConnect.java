package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;

/**
 * {@code tcp_connect}: how an escaper makes a TCP connection: up to {@code max_retry} more attempts after the first
 * (each to the next address of the peer, when it has several), each given {@code each_timeout}. g3proxy's defaults:
 * 2 retries (3 attempts), 30 s each.
 */
public record TcpConnect(int maxRetry, Duration eachTimeout) {
    public static final TcpConnect DEFAULT = new TcpConnect(2, Duration.ofSeconds(30));

    public int maxAttempts() {
        return maxRetry + 1;
    }

    public static TcpConnect parse(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map with max_retry and each_timeout, got "
                    + YamlMap.describe(node));
        }
        YamlMap map = new YamlMap(node, "tcp_connect", new ArrayList<>());
        int maxRetry = map.take("max_retry", Values::integer).orElse(DEFAULT.maxRetry());
        Duration each = map.take("each_timeout", Values::duration).orElse(DEFAULT.eachTimeout());
        map.finish();
        if (maxRetry < 0 || maxRetry > 16) {
            throw new IllegalArgumentException("max_retry must be within 0..16, got " + maxRetry);
        }
        if (each.isZero() || each.toSeconds() > 600) {
            throw new IllegalArgumentException("each_timeout must be within 1ms..10min, got " + each);
        }
        return new TcpConnect(maxRetry, each);
    }
}
