package io.g3k.config.auth;

import com.fasterxml.jackson.databind.JsonNode;
import io.g3k.config.AclAction;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A user's {@code proxy_request_filter}: which kinds of request the user may make, in g3proxy's ACL forms (a map
 * with {@code default} and action keys, or a list of the permitted kinds, anything else forbidden). Kinds:
 * HttpForward, HttpsForward, FtpOverHttp, HttpConnect, SocksTcpConnect, SocksUdpAssociate (any case, with or
 * without underscores).
 */
public record ProxyRequestFilter(Map<String, AclAction> kinds, AclAction missed) {
    static final Set<String> KINDS = Set.of("httpforward", "httpsforward", "ftpoverhttp", "httpconnect",
            "sockstcpconnect", "socksudpassociate");

    static ProxyRequestFilter parse(JsonNode node) {
        Map<String, AclAction> kinds = new LinkedHashMap<>();
        AclAction missed = AclAction.rules(node, (kind, action) -> kinds.put(kind(kind), action));
        return new ProxyRequestFilter(Map.copyOf(kinds), missed);
    }

    private static String kind(String text) {
        String kind = text.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        if (!KINDS.contains(kind)) {
            throw new IllegalArgumentException("unknown request kind '" + text + "' (expected HttpForward, "
                    + "HttpsForward, FtpOverHttp, HttpConnect, SocksTcpConnect or SocksUdpAssociate)");
        }
        return kind;
    }

    /** {@code taskType} as g3k names tasks: http_forward, https_forward, ftp_over_http, http_connect, socks_*. */
    public AclAction check(String taskType) {
        return kinds.getOrDefault(taskType.replace("_", ""), missed);
    }
}
