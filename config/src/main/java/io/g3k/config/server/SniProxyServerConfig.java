package io.g3k.config.server;

import io.g3k.config.LoadContext;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;

/**
 * {@code type: sni_proxy}: route by the TLS SNI or the HTTP Host of the first request, to the same port the client
 * connected to (or the Host header's port).
 */
public record SniProxyServerConfig(ServerBase base, int tlsMaxClientHelloSize, Duration requestRecvTimeout)
        implements ServerConfig {
    public static final String TYPE = "sni_proxy";

    @Override
    public String type() {
        return TYPE;
    }

    static SniProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        var config = new SniProxyServerConfig(ServerBase.proxy(name, map),
                (int) Math.min(1 << 20, map.take("tls_max_client_hello_size", Values::size).orElse(65536L)),
                map.take("request_recv_timeout", Values::duration).orElse(Duration.ofSeconds(4)));
        map.ignoreWithWarning("request_wait_timeout", "protocol_inspection", "server_tcp_portmap",
                "client_tcp_portmap");
        map.finish();
        return config;
    }
}
