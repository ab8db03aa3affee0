package io.g3k.config.server;

import io.g3k.config.LoadContext;
import io.g3k.config.ProxyProtocol;
import io.g3k.config.TlsServerConfig;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * {@code plain_tcp_port}, {@code plain_tls_port}, {@code native_tls_port}: an extra listener (optionally PROXY
 * protocol, optionally TLS) in front of another server. Both TLS port types use the same engine in g3k
 * (BoringSSL through netty-tcnative when available).
 */
public record PortServerConfig(String type, ServerBase base, String server, Optional<TlsServerConfig> tlsServer,
                               Optional<ProxyProtocol> proxyProtocol, Duration proxyProtocolReadTimeout)
        implements ServerConfig {
    public static final String PLAIN_TCP = "plain_tcp_port";
    public static final String PLAIN_TLS = "plain_tls_port";
    public static final String NATIVE_TLS = "native_tls_port";

    @Override
    public List<String> nextServers() {
        return List.of(server);
    }

    static PortServerConfig parse(String type, String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.port(name, map);
        if (base.listen().isEmpty()) {
            throw map.error("listen", "is required for a port server");
        }
        String server = map.requireString("server");
        Optional<TlsServerConfig> tls = map.map("tls_server").map(m -> TlsServerConfig.parse(m, ctx.baseDir()));
        if (!type.equals(PLAIN_TCP) && tls.isEmpty()) {
            throw map.error("tls_server", "is required for " + type);
        }
        if (type.equals(PLAIN_TCP) && tls.isPresent()) {
            throw map.error("tls_server", "is not allowed for plain_tcp_port; use plain_tls_port");
        }
        var config = new PortServerConfig(type, base, server, tls, map.take("proxy_protocol", ProxyProtocol::parse),
                map.take("proxy_protocol_read_timeout", Values::duration).orElse(Duration.ofSeconds(5)));
        if (!type.equals(PLAIN_TCP)) {
            map.ignoreWithWarning("tls_ticketer");
        }
        map.finish();
        return config;
    }
}
