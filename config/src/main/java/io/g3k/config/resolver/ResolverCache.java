package io.g3k.config.resolver;

import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;

/** The cache keys every caching resolver shares: TTL bounds for answers and for negative answers. */
public record ResolverCache(int positiveMinTtl, int positiveMaxTtl, int negativeTtl, Duration protectiveQueryTimeout) {
    static ResolverCache parse(YamlMap map) {
        var cache = new ResolverCache(
                map.take("positive_min_ttl", Values::integer).orElse(30),
                map.take("positive_max_ttl", Values::integer).orElse(3600),
                map.take("negative_ttl", Values::integer, "negative_min_ttl").orElse(30),
                map.take("protective_query_timeout", Values::duration).orElse(Duration.ofSeconds(60)));
        if (cache.positiveMinTtl() > cache.positiveMaxTtl()) {
            throw map.error("positive_min_ttl", "must not be greater than positive_max_ttl");
        }
        map.ignoreWithWarning("graceful_stop_wait");
        return cache;
    }
}
