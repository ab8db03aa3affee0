package io.g3k.config.audit;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.IpNetwork;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * g3proxy's protocol inspect policy ({@code h2_inspect_policy}, {@code websocket_inspect_policy},
 * {@code smtp_inspect_policy}, {@code imap_inspect_policy}): what to do with a protocol found in an audited tunnel,
 * by its target. A string is the action for every target; a map has {@code exact_match}, {@code child_match}
 * (domains) and {@code subnet_match} (IP targets) rules, each a map of action to host(s), tried in that order, then
 * {@code default}. g3k has no stream detour service, so {@code detour} is refused.
 */
public record ProtocolInspectPolicy(Action fallback, Map<String, Action> exact, Map<String, Action> child,
                                    List<Map.Entry<IpNetwork, Action>> subnet) {
    public enum Action {
        /** Refuse the protocol, with an application-level error where it has one. */
        BLOCK,
        /** Inspect it (g3k relays what it does not parse, such as SMTP and IMAP, unchanged). */
        INTERCEPT,
        /** Relay it without inspection. */
        BYPASS
    }

    public static final ProtocolInspectPolicy INTERCEPT = new ProtocolInspectPolicy(Action.INTERCEPT, Map.of(),
            Map.of(), List.of());

    /** Whether any target gets this action. */
    public boolean uses(Action action) {
        return fallback == action || exact.containsValue(action) || child.containsValue(action)
                || subnet.stream().anyMatch(rule -> rule.getValue() == action);
    }

    public Action check(UpstreamAddr target) {
        String host = target.host().toLowerCase(Locale.ROOT);
        Action exactAction = exact.get(host);
        if (exactAction != null) {
            return exactAction;
        }
        if (target.ip().isEmpty()) {
            // the nearest parent domain first: a.b.example tries b.example, then example
            for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
                Action childAction = child.get(host.substring(dot + 1));
                if (childAction != null) {
                    return childAction;
                }
            }
        } else {
            for (var rule : subnet) {
                if (rule.getKey().contains(target.ip().get())) {
                    return rule.getValue();
                }
            }
        }
        return fallback;
    }

    public static ProtocolInspectPolicy parse(JsonNode node) {
        if (!node.isObject()) {
            return new ProtocolInspectPolicy(action(node), Map.of(), Map.of(), List.of());
        }
        YamlMap map = new YamlMap(node, "inspect policy", new ArrayList<>());
        Action fallback = map.take("default", ProtocolInspectPolicy::action).orElse(Action.INTERCEPT);
        Map<String, Action> exact = map.take("exact_match", ProtocolInspectPolicy::hosts).orElse(Map.of());
        Map<String, Action> child = map.take("child_match", ProtocolInspectPolicy::hosts).orElse(Map.of());
        List<Map.Entry<IpNetwork, Action>> subnet = new ArrayList<>();
        map.take("subnet_match", ProtocolInspectPolicy::hosts).orElse(Map.of())
                .forEach((net, action) -> subnet.add(Map.entry(IpNetwork.parse(net), action)));
        map.finish();
        return new ProtocolInspectPolicy(fallback, exact, child, List.copyOf(subnet));
    }

    /** One rule: {@code {block: [a, b], bypass: c}}. */
    private static Map<String, Action> hosts(JsonNode node) {
        if (!node.isObject()) {
            throw new IllegalArgumentException("expected a map of action (block, intercept, bypass) to host(s)");
        }
        Map<String, Action> out = new LinkedHashMap<>();
        node.properties().forEach(e -> {
            Action action = actionNamed(e.getKey());
            for (String host : Values.stringList(e.getValue())) {
                out.put(host.toLowerCase(Locale.ROOT), action);
            }
        });
        return Map.copyOf(out);
    }

    private static Action action(JsonNode node) {
        return actionNamed(Values.string(node));
    }

    private static Action actionNamed(String name) {
        String text = name.strip().toLowerCase(Locale.ROOT);
        return switch (text) {
            case "block" -> Action.BLOCK;
            case "intercept" -> Action.INTERCEPT;
            case "bypass" -> Action.BYPASS;
            case "detour" -> throw new IllegalArgumentException("'detour' needs a stream_detour_service, which g3k "
                    + "does not have: use block, intercept or bypass");
            default -> throw new IllegalArgumentException("unknown inspect action '" + text
                    + "' (block, intercept or bypass)");
        };
    }
}
