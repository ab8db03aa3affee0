package io.g3k.config.escaper;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import io.g3k.config.server.StreamUpstream;
import io.g3k.config.server.StreamUpstream.PickPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code route_select} (and {@code route_mapping}, which without egress path selection picks at random): spread
 * tasks over {@code next_nodes} (names, or {@code {name, weight}}) by {@code next_pick_policy} (g3proxy's default:
 * ketama, keyed on the client address).
 */
public record RouteSelectEscaperConfig(String name, String type, List<Node> nextNodes, PickPolicy pickPolicy)
        implements EscaperConfig {
    public record Node(String name, int weight) {}

    @Override
    public List<String> nextEscapers() {
        return nextNodes.stream().map(Node::name).toList();
    }

    static RouteSelectEscaperConfig parse(String type, String name, YamlMap map) {
        boolean mapping = type.equals("route_mapping");
        List<Node> nodes = map.require(mapping ? "next" : "next_nodes", RouteSelectEscaperConfig::nodes,
                mapping ? "next_nodes" : "next");
        PickPolicy policy = mapping ? PickPolicy.RANDOM
                : map.take("next_pick_policy", StreamUpstream::policy).orElse(PickPolicy.KETAMA);
        map.finish();
        return new RouteSelectEscaperConfig(name, mapping ? "route_mapping" : "route_select", nodes, policy);
    }

    private static List<Node> nodes(JsonNode node) {
        List<Node> out = new ArrayList<>();
        List<JsonNode> items = Values.items(node);
        for (JsonNode item : items) {
            if (item.isObject()) {
                YamlMap m = new YamlMap(item, "next node", new ArrayList<>());
                out.add(new Node(m.requireString("name", "next"), m.take("weight", Values::positiveInt).orElse(1)));
                m.finish();
            } else {
                out.add(new Node(Values.string(item), 1));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("at least one next escaper is needed");
        }
        return List.copyOf(out);
    }
}
