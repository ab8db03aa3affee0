package io.g3k.config.server;

import io.g3k.config.ConfigException;
import io.g3k.config.Keys;
import io.g3k.config.LoadContext;
import io.g3k.config.YamlMap;
import java.util.Set;

/** Dispatches a {@code server:} entry on its {@code type}, with g3proxy's aliases. */
public final class ServerConfigs {
    /** g3proxy server types that g3k does not implement yet: named so the error can say so. */
    private static final Set<String> NOT_YET = Set.of("dummy_close", "plain_quic_port", "tcp_tproxy");

    private ServerConfigs() {}

    public static ServerConfig parse(YamlMap map, LoadContext ctx) {
        String name = map.requireString("name");
        String type = Keys.normalize(map.requireString("type"));
        return switch (type) {
            case "http_proxy", "httpproxy" -> HttpProxyServerConfig.parse(name, map, ctx);
            case "socks_proxy", "socksproxy" -> SocksProxyServerConfig.parse(name, map, ctx);
            case "tcp_stream", "tcpstream" -> TcpStreamServerConfig.parse(name, map, ctx);
            case "tls_stream", "tlsstream" -> TlsStreamServerConfig.parse(name, map, ctx);
            case "sni_proxy", "sniproxy" -> SniProxyServerConfig.parse(name, map, ctx);
            case "http_rproxy", "httprproxy", "http_reverse_proxy", "httpreverseproxy", "http_gateway",
                 "httpgateway" -> HttpRProxyServerConfig.parse(name, map, ctx);
            case "intelli_proxy", "intelliproxy", "ppdp_tcp_port", "ppdptcpport", "ppdp_tcp", "ppdptcp" ->
                    IntelliProxyServerConfig.parse(name, map, ctx);
            case "plain_tcp_port", "plaintcpport", "plain_tcp", "plaintcp" ->
                    PortServerConfig.parse(PortServerConfig.PLAIN_TCP, name, map, ctx);
            case "plain_tls_port", "plaintlsport", "plain_tls", "plaintls" ->
                    PortServerConfig.parse(PortServerConfig.PLAIN_TLS, name, map, ctx);
            case "native_tls_port", "nativetlsport", "native_tls", "nativetls" ->
                    PortServerConfig.parse(PortServerConfig.NATIVE_TLS, name, map, ctx);
            default -> throw new ConfigException(map.location() + " key 'type': "
                    + (NOT_YET.contains(type) ? "server type '" + type + "' is not implemented in this version of g3k"
                    : "unknown server type '" + type + "'"));
        };
    }
}
