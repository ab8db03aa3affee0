package io.g3k.config.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.AclAction;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A user's {@code http_user_agent_filter}: clients named in the {@code User-Agent} of forwarded HTTP requests, in
 * g3proxy's user-agent ACL forms, which invert the usual defaults: a list (or one name) forbids those clients and
 * permits the rest; a map takes {@code default} and action keys ({@code forbid: [curl, python-requests]},
 * {@code default: forbid} with {@code permit: [...]} for an allow list). A name matches as g3proxy matches it:
 * case-insensitively, as a whole product token: {@code curl} in {@code curl/8.5.0} or {@code Mozilla/5.0 (compatible;
 * curl/8.5.0)}, not in {@code libcurl-x}, nor in {@code (compatible; curl)}, where a ')' follows it.
 */
public record UserAgentFilter(Map<String, AclAction> names, AclAction missed) {
    static UserAgentFilter parse(JsonNode node) {
        Map<String, AclAction> names = new LinkedHashMap<>();
        AclAction missed = AclAction.rules(node, AclAction.FORBID, AclAction.PERMIT, (name, action) -> {
            if (name.isBlank()) {
                throw new IllegalArgumentException("empty user agent name");
            }
            names.put(name.trim().toLowerCase(Locale.ROOT), action);
        });
        return new UserAgentFilter(Map.copyOf(names), missed);
    }

    /**
     * What a request with these {@code User-Agent} values gets: a value naming a forbidden client, or holding bytes
     * outside printable ASCII (as g3proxy refuses them), forbids it; otherwise a named client's action, else the
     * missed action.
     */
    public AclAction check(List<String> userAgents) {
        AclAction found = null;
        for (String value : userAgents) {
            if (!value.chars().allMatch(c -> c == '\t' || c >= 0x20 && c < 0x7f)) {
                return AclAction.FORBID;
            }
            String ua = value.toLowerCase(Locale.ROOT);
            for (var entry : names.entrySet()) {
                if (names(ua, entry.getKey())) {
                    if (!entry.getValue().permits()) {
                        return entry.getValue();
                    }
                    found = entry.getValue();
                }
            }
        }
        return found != null ? found : missed;
    }

    /** {@code name} as a product token of {@code ua}: after its start, a space or ';', before its end, '/', ' ' or ';'. */
    private static boolean names(String ua, String name) {
        for (int at = ua.indexOf(name); at >= 0; at = ua.indexOf(name, at + 1)) {
            int end = at + name.length();
            boolean startsToken = at == 0 || ua.charAt(at - 1) == ' ' || ua.charAt(at - 1) == ';';
            boolean endsToken = end == ua.length() || "/ ;".indexOf(ua.charAt(end)) >= 0;
            if (startsToken && endsToken) {
                return true;
            }
        }
        return false;
    }
}
