package io.g3k.config.escaper;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpNetwork;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * {@code route_upstream}: choose the next escaper by target host: {@code exact_match}, {@code child_match},
 * {@code regex_match} (host names) and {@code subnet_match} (IP targets), each a list of {@code {next, hosts}}
 * ({@code networks} for subnets); {@code default_next} otherwise.
 */
public record RouteUpstreamEscaperConfig(String name, List<Rule> rules, String defaultNext) implements EscaperConfig {
    public static final String TYPE = "route_upstream";

    public enum Match { EXACT, CHILD, REGEX, SUBNET }

    public record Rule(Match match, String next, List<String> hosts, List<Pattern> regex, List<IpNetwork> networks) {
        boolean matches(UpstreamAddr target) {
            var ip = target.ip();
            return switch (match) {
                case EXACT -> hosts.contains(target.host());
                case CHILD -> ip.isEmpty() && hosts.stream().anyMatch(h -> target.host().endsWith("." + h));
                case REGEX -> ip.isEmpty() && regex.stream().anyMatch(p -> p.matcher(target.host()).find());
                case SUBNET -> ip.isPresent() && networks.stream().anyMatch(n -> n.contains(ip.get()));
            };
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

    /** The next escaper for a target: exact, then child, then regex, then subnet, then the default. */
    public String route(UpstreamAddr target) {
        for (Match m : Match.values()) {
            for (Rule r : rules) {
                if (r.match() == m && r.matches(target)) {
                    return r.next();
                }
            }
        }
        return defaultNext;
    }

    static RouteUpstreamEscaperConfig parse(String name, YamlMap map) {
        List<Rule> rules = new ArrayList<>();
        map.take("exact_match", n -> rules(n, Match.EXACT)).ifPresent(rules::addAll);
        map.take("child_match", n -> rules(n, Match.CHILD)).ifPresent(rules::addAll);
        map.take("regex_match", n -> rules(n, Match.REGEX)).ifPresent(rules::addAll);
        map.take("subnet_match", n -> rules(n, Match.SUBNET)).ifPresent(rules::addAll);
        var config = new RouteUpstreamEscaperConfig(name, List.copyOf(rules), map.requireString("default_next"));
        map.finish();
        return config;
    }

    private static List<Rule> rules(JsonNode node, Match match) {
        List<Rule> out = new ArrayList<>();
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a list of {next, hosts}");
        }
        for (JsonNode item : node) {
            YamlMap m = new YamlMap(item, match.name().toLowerCase(Locale.ROOT) + "_match entry", new ArrayList<>());
            String next = m.requireString("next");
            List<String> values = m.require(match == Match.SUBNET ? "networks" : "hosts", Values::stringList,
                    match == Match.SUBNET ? "subnets" : "domains");
            m.finish();
            out.add(new Rule(match, next, values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList(),
                    match == Match.REGEX ? values.stream().map(Pattern::compile).toList() : List.of(),
                    match == Match.SUBNET ? values.stream().map(IpNetwork::parse).toList() : List.of()));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RouteUpstreamEscaperConfig other && other.name.equals(name)
                && other.defaultNext.equals(defaultNext) && other.rules.toString().equals(rules.toString());
    }

    @Override
    public int hashCode() {
        return name.hashCode();
    }
}
