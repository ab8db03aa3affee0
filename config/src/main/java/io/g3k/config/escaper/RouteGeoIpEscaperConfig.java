package io.g3k.config.escaper;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpNetwork;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code route_geoip}: route by where the target's resolved address is. {@code geo_rules} match local
 * {@code networks} directly, and {@code countries} / {@code continents} / {@code as_numbers} through an
 * {@code ip_locate_service} (g3proxy's IP locate protocol, msgpack over UDP, as g3iploc speaks it).
 */
public record RouteGeoIpEscaperConfig(String name, String resolver, InetSocketAddress ipLocatePeer,
                                      Duration queryWaitTimeout, int defaultExpireTtl, List<Rule> rules,
                                      String defaultNext) implements EscaperConfig {
    public static final String TYPE = "route_geoip";

    public record Rule(String next, List<IpNetwork> networks, Set<String> countries, Set<String> continents,
                       Set<Long> asNumbers) {
        public boolean needsLocation() {
            return !countries.isEmpty() || !continents.isEmpty() || !asNumbers.isEmpty();
        }
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> nextEscapers() {
        return EscaperConfig.rulesThenDefault(rules.stream().map(Rule::next), defaultNext);
    }

    static RouteGeoIpEscaperConfig parse(String name, YamlMap map) {
        InetSocketAddress peer = new InetSocketAddress("127.0.0.1", 2888);
        Duration wait = Duration.ofSeconds(4);
        int ttl = 10;
        var service = map.map("ip_locate_service");
        if (service.isPresent()) {
            YamlMap s = service.get();
            peer = s.take("query_peer_addr", RouteGeoIpEscaperConfig::address).orElse(peer);
            wait = s.take("query_wait_timeout", Values::duration).orElse(wait);
            ttl = s.take("default_expire_ttl", Values::integer).orElse(ttl);
            s.ignoreWithWarning("query_socket_buffer", "cache_request_batch_count", "cache_request_timeout",
                    "maximum_expire_ttl", "cache_vanish_wait");
            s.finish();
        }
        List<Rule> rules = map.take("geo_rules", RouteGeoIpEscaperConfig::rules).orElse(List.of());
        var config = new RouteGeoIpEscaperConfig(name, map.requireString("resolver"), peer, wait, ttl, rules,
                map.requireString("default_next"));
        map.ignoreWithWarning("resolution_delay", "resolve_strategy");
        map.finish();
        return config;
    }

    private static InetSocketAddress address(JsonNode node) {
        UpstreamAddr addr = UpstreamAddr.parse(Values.string(node), 2888);
        return new InetSocketAddress(addr.ip().orElseThrow(
                () -> new IllegalArgumentException("ip_locate_service address must be an IP")), addr.port());
    }

    private static List<Rule> rules(JsonNode node) {
        List<Rule> out = new ArrayList<>();
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a list of {next, networks|countries|continents|as_numbers}");
        }
        for (JsonNode item : node) {
            YamlMap m = new YamlMap(item, "geo_rules entry", new ArrayList<>());
            String next = m.requireString("next");
            List<IpNetwork> nets = m.take("networks", n -> Values.stringList(n).stream().map(IpNetwork::parse)
                    .toList()).orElse(List.of());
            Set<String> countries = m.take("countries", n -> Set.copyOf(Values.stringList(n).stream()
                    .map(c -> c.toUpperCase(Locale.ROOT)).toList())).orElse(Set.of());
            Set<String> continents = m.take("continents", n -> Set.copyOf(Values.stringList(n).stream()
                    .map(c -> c.toUpperCase(Locale.ROOT)).toList())).orElse(Set.of());
            Set<Long> asNumbers = m.take("as_numbers", n -> Set.copyOf(Values.stringList(n).stream()
                    .map(Long::parseLong).toList())).orElse(Set.of());
            m.finish();
            out.add(new Rule(next, nets, countries, continents, asNumbers));
        }
        return List.copyOf(out);
    }
}
