package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.Keys;
import io.g3k.config.TlsClientConfig;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where {@code tcp_stream} and {@code tls_stream} send connections: {@code proxy_pass} (one or many, optionally
 * weighted), the pick policy, and TLS to the upstream ({@code tls_client}, {@code upstream_tls_name}).
 */
public record StreamUpstream(List<Weighted> upstreams, PickPolicy pickPolicy, Optional<TlsClientConfig> tlsClient,
                             Optional<String> tlsName) {
    public record Weighted(UpstreamAddr addr, int weight) {}

    public enum PickPolicy { RANDOM, SERIAL, ROUND_ROBIN, KETAMA, RENDEZVOUS, JUMP_HASH }

    /** Just addresses and a pick policy, for other keys ({@code proxy_addr} of the proxy escapers). */
    public static StreamUpstream parseAddresses(YamlMap map, String key, String policyKey, int defaultPort) {
        List<Weighted> upstreams = map.require(key, n -> upstreams(n, defaultPort));
        PickPolicy policy = map.take(policyKey, StreamUpstream::policy).orElse(PickPolicy.RANDOM);
        return new StreamUpstream(upstreams, policy, Optional.empty(), Optional.empty());
    }

    static StreamUpstream parse(YamlMap map, Path baseDir) {
        List<Weighted> upstreams = map.require("proxy_pass", n -> upstreams(n, -1), "upstream");
        PickPolicy policy = map.take("upstream_pick_policy", StreamUpstream::policy).orElse(PickPolicy.RANDOM);
        Optional<TlsClientConfig> tls = Optional.empty();
        Optional<JsonNode> raw = map.take("tls_client");
        Optional<Boolean> word = raw.flatMap(Values::boolWord);
        if (raw.isPresent() && !word.equals(Optional.of(false))) {
            JsonNode node = word.isPresent() || raw.get().isNull() ? Values.emptyMap() : raw.get();
            tls = Optional.of(TlsClientConfig.parse(new YamlMap(node, map.location() + " key 'tls_client'",
                    map.warnings()), baseDir));
        }
        Optional<String> tlsName = map.string("upstream_tls_name", "tls_name");
        return new StreamUpstream(upstreams, policy, tls, tlsName);
    }

    private static List<Weighted> upstreams(JsonNode node, int defaultPort) {
        List<Weighted> out = new ArrayList<>();
        List<JsonNode> items = Values.items(node);
        for (JsonNode item : items) {
            if (item.isObject()) {
                YamlMap m = new YamlMap(item, "proxy_pass entry", new ArrayList<>());
                UpstreamAddr addr = m.require("addr", n -> UpstreamAddr.parse(Values.string(n), defaultPort), "address");
                int weight = m.take("weight", Values::positiveInt).orElse(1);
                m.finish();
                out.add(new Weighted(addr, weight));
            } else {
                out.add(new Weighted(UpstreamAddr.parse(Values.string(item), defaultPort), 1));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one upstream address is needed");
        }
        return List.copyOf(out);
    }

    public static PickPolicy policy(JsonNode node) {
        return switch (Keys.normalize(Values.string(node))) {
            case "random" -> PickPolicy.RANDOM;
            case "serial", "sequence" -> PickPolicy.SERIAL;
            case "rr", "round_robin", "roundrobin" -> PickPolicy.ROUND_ROBIN;
            case "ketama" -> PickPolicy.KETAMA;
            case "rendezvous" -> PickPolicy.RENDEZVOUS;
            case "jump_hash", "jumphash" -> PickPolicy.JUMP_HASH;
            default -> throw new IllegalArgumentException("invalid pick policy '" + node.asText() + "'");
        };
    }
}
