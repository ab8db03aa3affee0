package io.g3k.config.escaper;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpNetwork;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code route_client} (by the client's address: {@code exact_match} {@code {next, ips}}, {@code subnet_match}
 * {@code {next, subnets}}) and {@code route_resolved} (by the target's resolved address: {@code lpm_match}
 * {@code {next, networks}}, with a {@code resolver}). Longest prefix wins; {@code default_next} otherwise.
 */
public record RouteByNetworkEscaperConfig(String name, String type, Optional<String> resolver, List<Rule> rules,
                                          String defaultNext) implements EscaperConfig {
    public record Rule(String next, IpNetwork network) {}

    @Override
    public List<String> nextEscapers() {
        return EscaperConfig.rulesThenDefault(rules.stream().map(Rule::next), defaultNext);
    }

    /** The next escaper for an address, by longest prefix. */
    public String route(InetAddress address) {
        Rule best = null;
        for (Rule r : rules) {
            if (r.network().contains(address) && (best == null || r.network().prefix() > best.network().prefix())) {
                best = r;
            }
        }
        return best == null ? defaultNext : best.next();
    }

    static RouteByNetworkEscaperConfig parse(String type, String name, YamlMap map) {
        List<Rule> rules = new ArrayList<>();
        Optional<String> resolver = Optional.empty();
        if (type.equals("route_client")) {
            map.take("exact_match", n -> rules(n, "ips")).ifPresent(rules::addAll);
            map.take("subnet_match", n -> rules(n, "subnets")).ifPresent(rules::addAll);
        } else {
            resolver = Optional.of(map.requireString("resolver"));
            map.take("lpm_match", n -> rules(n, "networks")).ifPresent(rules::addAll);
            map.ignoreWithWarning("resolution_delay");
        }
        var config = new RouteByNetworkEscaperConfig(name, type, resolver, List.copyOf(rules),
                map.requireString("default_next"));
        map.finish();
        return config;
    }

    private static List<Rule> rules(JsonNode node, String key) {
        List<Rule> out = new ArrayList<>();
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a list of {next, " + key + "}");
        }
        for (JsonNode item : node) {
            YamlMap m = new YamlMap(item, "match entry", new ArrayList<>());
            String next = m.requireString("next");
            for (String net : m.require(key, Values::stringList)) {
                out.add(new Rule(next, IpNetwork.parse(net)));
            }
            m.finish();
        }
        return out;
    }
}
