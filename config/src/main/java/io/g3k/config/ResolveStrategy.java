package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;

/** Which address families to query and in what order, and how to pick among the answers. */
public record ResolveStrategy(Query query, Pick pick) {
    public enum Query { IPV4_FIRST, IPV6_FIRST, IPV4_ONLY, IPV6_ONLY }

    public enum Pick { RANDOM, FIRST }

    public static final ResolveStrategy DEFAULT = new ResolveStrategy(Query.IPV4_FIRST, Pick.RANDOM);

    public static ResolveStrategy parse(JsonNode node, String location) {
        if (node.isTextual()) {
            return new ResolveStrategy(query(node), Pick.RANDOM);
        }
        YamlMap map = new YamlMap(node, location, new ArrayList<>());
        Query query = map.take("query", ResolveStrategy::query).orElse(Query.IPV4_FIRST);
        Pick pick = map.take("pick", ResolveStrategy::pick).orElse(Pick.RANDOM);
        map.finish();
        return new ResolveStrategy(query, pick);
    }

    private static Query query(JsonNode node) {
        return switch (Keys.normalize(Values.string(node))) {
            case "ipv4first", "ipv4_first" -> Query.IPV4_FIRST;
            case "ipv6first", "ipv6_first" -> Query.IPV6_FIRST;
            case "ipv4only", "ipv4_only" -> Query.IPV4_ONLY;
            case "ipv6only", "ipv6_only" -> Query.IPV6_ONLY;
            default -> throw new IllegalArgumentException("invalid resolve strategy '" + node.asText()
                    + "' (expected IPv4First, IPv6First, IPv4Only or IPv6Only)");
        };
    }

    private static Pick pick(JsonNode node) {
        return switch (Keys.normalize(Values.string(node))) {
            case "random" -> Pick.RANDOM;
            case "first", "serial" -> Pick.FIRST;
            default -> throw new IllegalArgumentException("invalid pick policy '" + node.asText() + "'");
        };
    }
}
