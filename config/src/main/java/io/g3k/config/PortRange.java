package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;

/** Ports {@code start} to {@code end}, both included: g3proxy's port range, {@code "8000-8100"} or a map. */
public record PortRange(int start, int end) {
    public PortRange {
        if (start < 1 || end > 65535 || start > end) {
            throw new IllegalArgumentException("invalid port range " + start + "-" + end
                    + " (ports are 1-65535, start at most end)");
        }
    }

    /** {@code "start-end"}, or a map with {@code start} (alias {@code from}) and {@code end} ({@code to}). */
    public static PortRange parse(JsonNode node) {
        if (node.isObject()) {
            YamlMap map = new YamlMap(node, "port range", new ArrayList<>());
            var range = new PortRange(map.require("start", Values::port, "from"), map.require("end", Values::port, "to"));
            map.finish();
            return range;
        }
        String text = Values.string(node).trim();
        if (!text.contains("-")) {
            throw new IllegalArgumentException("expected a port range such as 10000-10100, got '" + text + "'");
        }
        return text(text);
    }

    /** {@code "port"} or {@code "start-end"}. */
    public static PortRange text(String text) {
        String[] parts = text.split("-", 2);
        try {
            int from = Integer.parseInt(parts[0].trim());
            return new PortRange(from, parts.length == 2 ? Integer.parseInt(parts[1].trim()) : from);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid port or port range '" + text + "'");
        }
    }

    public boolean contains(int port) {
        return port >= start && port <= end;
    }

    public int size() {
        return end - start + 1;
    }

    @Override
    public String toString() {
        return start + "-" + end;
    }
}
