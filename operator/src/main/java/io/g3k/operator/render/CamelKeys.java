package io.g3k.operator.render;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Kubernetes-style camelCase option keys to g3proxy's snake_case ({@code egressNetworkFilter} →
 * {@code egress_network_filter}), recursively. Only identifier-like keys change: map keys that are data (IP
 * addresses, host names) pass through.
 */
final class CamelKeys {
    private static final Pattern IDENTIFIER = Pattern.compile("[a-z][a-zA-Z0-9]*");

    private CamelKeys() {}

    static Object toSnake(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            map.forEach((k, v) -> out.put(key(String.valueOf(k)), toSnake(v)));
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>();
            list.forEach(v -> out.add(toSnake(v)));
            return out;
        }
        return value;
    }

    static String key(String key) {
        if (!IDENTIFIER.matcher(key).matches()) {
            return key;
        }
        return key.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
