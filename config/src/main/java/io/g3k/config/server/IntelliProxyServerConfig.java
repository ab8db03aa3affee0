package io.g3k.config.server;

import io.g3k.config.LoadContext;
import io.g3k.config.ProxyProtocol;
import io.g3k.config.Values;
import io.g3k.config.YamlMap;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** {@code type: intelli_proxy}: one port for HTTP and SOCKS, told apart by the first byte. */
public record IntelliProxyServerConfig(ServerBase base, String httpServer, String socksServer,
                                       Duration protocolDetectionTimeout, Optional<ProxyProtocol> proxyProtocol,
                                       Duration proxyProtocolReadTimeout) implements ServerConfig {
    public static final String TYPE = "intelli_proxy";

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public List<String> nextServers() {
        return List.of(httpServer, socksServer);
    }

    static IntelliProxyServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        var config = new IntelliProxyServerConfig(ServerBase.port(name, map),
                map.requireString("http_server"), map.requireString("socks_server"),
                map.take("protocol_detection_timeout", Values::duration).orElse(Duration.ofSeconds(4)),
                map.take("proxy_protocol", ProxyProtocol::parse),
                map.take("proxy_protocol_read_timeout", Values::duration).orElse(Duration.ofSeconds(5)));
        map.finish();
        return config;
    }
}
