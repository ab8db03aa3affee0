package io.g3k.config;

import java.util.List;
import java.util.Locale;

/**
 * g3proxy's host-matched entries: {@code exact_match} names and {@code child_match} parent domains (a child of
 * {@code example.net} is any {@code *.example.net}), compared without case.
 */
public record HostMatch(List<String> exactMatch, List<String> childMatch) {
    public static HostMatch parse(YamlMap map) {
        return new HostMatch(names(map, "exact_match"), names(map, "child_match"));
    }

    private static List<String> names(YamlMap map, String key) {
        return map.take(key, Values::stringList).orElse(List.of()).stream().map(s -> s.toLowerCase(Locale.ROOT)).toList();
    }

    public boolean isEmpty() {
        return exactMatch.isEmpty() && childMatch.isEmpty();
    }

    public boolean matches(String host) {
        String h = host.toLowerCase(Locale.ROOT);
        return exactMatch.contains(h) || childMatch.stream().anyMatch(c -> h.endsWith("." + c));
    }
}
