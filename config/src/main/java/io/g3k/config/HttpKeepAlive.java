package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;

/**
 * g3proxy's http keepalive config ({@code http_forward_upstream_keepalive}): whether an upstream connection is kept
 * for the next request after a response, and for how long unused ({@code idle_expire}). On by default with 60 s;
 * a boolean sets {@code enable}, a duration enables it with that {@code idle_expire}, or a map of both.
 */
public record HttpKeepAlive(boolean enabled, Duration idleExpire) {
    public static final HttpKeepAlive DEFAULT = new HttpKeepAlive(true, Duration.ofSeconds(60));

    public HttpKeepAlive {
        if (idleExpire.isNegative() || idleExpire.isZero()) {
            throw new IllegalArgumentException("idle_expire must be positive, got " + idleExpire);
        }
    }

    /** The server's setting adjusted by a user's {@code http_upstream_keepalive}: on only if both are, the shorter idle. */
    public HttpKeepAlive adjustTo(HttpKeepAlive user) {
        return new HttpKeepAlive(enabled && user.enabled,
                idleExpire.compareTo(user.idleExpire) <= 0 ? idleExpire : user.idleExpire);
    }

    public static HttpKeepAlive parse(JsonNode node) {
        var word = Values.boolWord(node);
        if (word.isPresent()) {
            return new HttpKeepAlive(word.get(), DEFAULT.idleExpire());
        }
        if (!node.isObject()) {
            return new HttpKeepAlive(true, Values.duration(node));
        }
        YamlMap map = new YamlMap(node, "http keepalive", new ArrayList<>());
        var keepalive = new HttpKeepAlive(map.bool("enable", true),
                map.take("idle_expire", Values::duration).orElse(DEFAULT.idleExpire()));
        map.finish();
        return keepalive;
    }
}
