package io.g3k.config;

import com.fasterxml.jackson.databind.JsonNode;

/** A PROXY protocol version: the one a port expects in front of every connection, or an escaper sends. */
public enum ProxyProtocol {
    V1, V2;

    public static ProxyProtocol parse(JsonNode node) {
        return switch (Keys.normalize(Values.string(node))) {
            case "v1", "1" -> V1;
            case "v2", "2" -> V2;
            default -> throw new IllegalArgumentException("invalid PROXY protocol version '" + node.asText()
                    + "' (expected v1 or v2)");
        };
    }
}
