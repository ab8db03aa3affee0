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
 * {@code suffix_match} (the name ends with the text, as g3proxy's radix match: {@code example.net} takes
 * {@code abcexample.net} too), {@code regex_match} (host names) and {@code subnet_match} (IP targets); each a list
 * of {@code {next, hosts}} (g3proxy's keys for each: {@code domains}, {@code suffixes}, {@code rules},
 * {@code networks}; {@code escaper} for {@code next}) or a map from escaper to values; {@code default_next}
 * otherwise.
 */
public record RouteUpstreamEscaperConfig(String name, List<Rule> rules, String defaultNext) implements EscaperConfig {
    public static final String TYPE = "route_upstream";

    public enum Match {
        EXACT("hosts", "host"), CHILD("domains", "domain", "hosts"), SUFFIX("suffixes", "suffix"),
        REGEX("rules", "rule", "hosts"), SUBNET("networks", "network", "subnets", "subnet");

        final String key;
        final String[] aliases;

        Match(String key, String... aliases) {
            this.key = key;
            this.aliases = aliases;
        }
    }

    public record Rule(Match match, String next, List<String> hosts, List<Pattern> regex, List<IpNetwork> networks) {
        boolean matches(UpstreamAddr target) {
            var ip = target.ip();
            return switch (match) {
                case EXACT -> hosts.contains(target.host());
                case CHILD -> ip.isEmpty() && hosts.stream().anyMatch(h -> target.host().endsWith("." + h));
                case SUFFIX -> ip.isEmpty() && hosts.stream().anyMatch(h -> target.host().endsWith(h));
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

    /** The next escaper for a target: exact, then child, suffix, regex, subnet, then the default. */
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
        map.take("suffix_match", n -> rules(n, Match.SUFFIX), "radix_match").ifPresent(rules::addAll);
        map.take("regex_match", n -> rules(n, Match.REGEX)).ifPresent(rules::addAll);
        map.take("subnet_match", n -> rules(n, Match.SUBNET)).ifPresent(rules::addAll);
        var config = new RouteUpstreamEscaperConfig(name, List.copyOf(rules), map.requireString("default_next"));
        map.finish();
        return config;
    }

    private static List<Rule> rules(JsonNode node, Match match) {
        List<Rule> out = new ArrayList<>();
        String what = match.name().toLowerCase(Locale.ROOT) + "_match";
        if (node.isObject()) { // g3proxy's map form: escaper name -> values
            node.properties().forEach(e -> out.add(rule(match, e.getKey(), Values.stringList(e.getValue()))));
            return out;
        }
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a list of {next, " + match.key + "} or a map of escaper to "
                    + match.key);
        }
        for (JsonNode item : node) {
            YamlMap m = new YamlMap(item, what + " entry", new ArrayList<>());
            String next = m.requireString("next", "escaper");
            List<String> values = m.require(match.key, Values::stringList, match.aliases);
            m.finish();
            out.add(rule(match, next, values));
        }
        return out;
    }

    private static Rule rule(Match match, String next, List<String> values) {
        return new Rule(match, next, values.stream().map(v -> v.toLowerCase(Locale.ROOT)).toList(),
                match == Match.REGEX ? values.stream().map(Pattern::compile).toList() : List.of(),
                match == Match.SUBNET ? values.stream().map(IpNetwork::parse).toList() : List.of());
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
