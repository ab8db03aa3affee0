package io.g3k.config.server;

import io.g3k.config.ConfigException;
import io.g3k.config.Keys;
import io.g3k.config.LoadContext;
import io.g3k.config.YamlMap;
import java.util.Set;

/** Dispatches a {@code server:} entry on its {@code type}, with g3proxy's aliases. */
public final class ServerConfigs {
    /** g3proxy server types that g3k does not implement yet: named so the error can say so. */
    private static final Set<String> NOT_YET = Set.of("dummy_close", "plain_tcp_port", "plain_tls_port",
            "native_tls_port", "plain_quic_port", "intelli_proxy", "tcp_stream", "tcp_tproxy", "tls_stream",
            "sni_proxy", "http_rproxy");

    private ServerConfigs() {}

    public static ServerConfig parse(YamlMap map, LoadContext ctx) {
        String name = map.requireString("name");
        String type = Keys.normalize(map.requireString("type"));
        return switch (type) {
            case "http_proxy", "httpproxy" -> HttpProxyServerConfig.parse(name, map, ctx);
            case "socks_proxy", "socksproxy" -> SocksProxyServerConfig.parse(name, map, ctx);
            default -> throw new ConfigException(map.location() + " key 'type': "
                    + (NOT_YET.contains(type) ? "server type '" + type + "' is not implemented in this version of g3k"
                    : "unknown server type '" + type + "'"));
        };
    }
}
