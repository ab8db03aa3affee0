package io.g3k.config.escaper;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code route_query}: ask an external agent (UDP, msgpack: g3proxy's route query protocol) which next escaper a
 * host takes; answers are cached for their TTL; an escaper outside {@code query_allowed_next}, no answer in
 * {@code query_wait_timeout}, or an empty answer, all mean {@code fallback_node}.
 */
public record RouteQueryEscaperConfig(String name, InetSocketAddress queryPeerAddr, List<String> queryAllowedNext,
                                      String fallbackNode, boolean queryPassClientIp, Duration queryWaitTimeout,
                                      int protectiveCacheTtl, int maximumCacheTtl) implements EscaperConfig {
    public static final String TYPE = "route_query";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> nextEscapers() {
        List<String> out = new ArrayList<>(queryAllowedNext);
        if (!out.contains(fallbackNode)) {
            out.add(fallbackNode);
        }
        return out;
    }

    static RouteQueryEscaperConfig parse(String name, YamlMap map) {
        InetSocketAddress peer = map.take("query_peer_addr", n -> {
            UpstreamAddr addr = UpstreamAddr.parse(Values.string(n), 1053);
            return new InetSocketAddress(addr.ip().orElseThrow(
                    () -> new IllegalArgumentException("query_peer_addr must be an IP address")), addr.port());
        }).orElse(new InetSocketAddress("127.0.0.1", 1053));
        var config = new RouteQueryEscaperConfig(name, peer, map.require("query_allowed_next", Values::stringList),
                map.requireString("fallback_node"), map.bool("query_pass_client_ip", false),
                map.take("query_wait_timeout", Values::duration).orElse(Duration.ofSeconds(10)),
                map.take("protective_cache_ttl", Values::integer).orElse(10),
                map.take("maximum_cache_ttl", Values::integer).orElse(1800));
        map.ignoreWithWarning("cache_request_timeout", "cache_request_batch_count", "cache_pick_policy",
                "cache_vanish_wait", "query_socket_buffer");
        map.finish();
        return config;
    }
}
