package io.g3k.config.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.Values;
import java.util.Locale;

/**
 * g3proxy's http forwarded header type ({@code append_forwarded_for}): which header tells the upstream who the
 * client was. {@code classic} (also {@code true}, {@code enable}) is {@code X-Forwarded-For}, {@code standard}
 * ({@code rfc7239}) is {@code Forwarded}, {@code none} ({@code disable}, {@code false}) adds nothing.
 */
public enum HttpForwardedHeaderType {
    DISABLE, CLASSIC, STANDARD;

    public static HttpForwardedHeaderType parse(JsonNode node) {
        if (node.isTextual()) {
            switch (node.asText().toLowerCase(Locale.ROOT)) {
                case "none", "disable" -> { return DISABLE; }
                case "classic", "enable" -> { return CLASSIC; }
                case "standard", "rfc7239" -> { return STANDARD; }
                default -> { }
            }
        }
        try {
            return Values.bool(node) ? CLASSIC : DISABLE;
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("expected classic, standard, none or a boolean, got "
                    + node.asText());
        }
    }
}
