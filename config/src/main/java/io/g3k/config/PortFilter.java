package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** {@code dst_port_filter}: the ports (or ranges such as {@code 8000-8100}) a user may connect to. */
public record PortFilter(List<PortRange> ranges) {
    public static PortFilter parse(JsonNode node) {
        return new PortFilter(Values.items(node).stream().map(item -> PortRange.text(Values.string(item).trim())).toList());
    }

    public boolean permits(int port) {
        return ranges.stream().anyMatch(r -> r.contains(port));
    }
}
