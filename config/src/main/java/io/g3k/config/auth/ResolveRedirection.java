package io.g3k.config.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.UpstreamAddr;
import io.g3k.config.YamlMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code resolve_redirection}: {@code exact} names answered with a fixed IP or another name, {@code child} (or
 * {@code parent}) domains moved under another domain ({@code *.example.com} to {@code *.example.net}).
 */
public record ResolveRedirection(List<Rule> rules) {
    public record Rule(boolean child, String from, String to) {}

    public static ResolveRedirection parse(JsonNode node) {
        List<Rule> rules = new ArrayList<>();
        if (!node.isArray()) {
            throw new IllegalArgumentException("expected a list of {exact|child: name, to: target}");
        }
        for (JsonNode item : node) {
            YamlMap m = new YamlMap(item, "resolve_redirection entry", new ArrayList<>());
            var exact = m.string("exact");
            var child = m.string("child", "parent");
            String to = m.requireString("to").toLowerCase(Locale.ROOT);
            m.finish();
            if (exact.isPresent() == child.isPresent()) {
                throw new IllegalArgumentException("each entry needs exactly one of exact, child");
            }
            UpstreamAddr.parse(to, 1);
            rules.add(new Rule(child.isPresent(), exact.or(() -> child).get().toLowerCase(Locale.ROOT), to));
        }
        return new ResolveRedirection(List.copyOf(rules));
    }

    /** The name (or IP) to resolve instead of {@code host}; the host itself when no rule applies. */
    public String apply(String host) {
        for (Rule rule : rules) {
            if (!rule.child() && rule.from().equals(host)) {
                return rule.to();
            }
            if (rule.child() && host.endsWith("." + rule.from())) {
                return host.substring(0, host.length() - rule.from().length()) + rule.to();
            }
        }
        return host;
    }

    static ResolveRedirection none() {
        return new ResolveRedirection(List.of());
    }

}
