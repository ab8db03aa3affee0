package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** {@code dst_port_filter}: the ports (or ranges such as {@code 8000-8100}) a user may connect to. */
public record PortFilter(List<int[]> ranges) {
    public static PortFilter parse(JsonNode node) {
        List<int[]> out = new ArrayList<>();
        List<JsonNode> items = Values.items(node);
        for (JsonNode item : items) {
            String text = Values.string(item).trim();
            String[] parts = text.split("-", 2);
            try {
                int from = Integer.parseInt(parts[0].trim());
                int to = parts.length == 2 ? Integer.parseInt(parts[1].trim()) : from;
                if (from < 1 || to > 65535 || from > to) {
                    throw new IllegalArgumentException("invalid port range '" + text + "'");
                }
                out.add(new int[] {from, to});
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("invalid port '" + text + "'");
            }
        }
        return new PortFilter(List.copyOf(out));
    }

    public boolean permits(int port) {
        return ranges.stream().anyMatch(r -> port >= r[0] && port <= r[1]);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PortFilter other && ranges.size() == other.ranges.size()
                && java.util.stream.IntStream.range(0, ranges.size())
                .allMatch(i -> java.util.Arrays.equals(ranges.get(i), other.ranges.get(i)));
    }

    @Override
    public int hashCode() {
        return ranges.size();
    }
}
