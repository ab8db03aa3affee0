package io.g3k.config.server;

import io.g3k.config.LoadContext;
import io.g3k.config.TlsServerConfig;
import io.g3k.config.YamlMap;

/** {@code type: tls_stream}: terminate TLS ({@code tls_server}, optional mTLS) and map to upstream addresses. */
public record TlsStreamServerConfig(ServerBase base, TlsServerConfig tlsServer, StreamUpstream upstream)
        implements ServerConfig {
    public static final String TYPE = "tls_stream";

    @Override
    public String type() {
        return TYPE;
    }

    static TlsStreamServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        ServerBase base = ServerBase.proxy(name, map);
        TlsServerConfig tls = map.map("tls_server").map(m -> TlsServerConfig.parse(m, ctx.baseDir()))
                .orElseThrow(() -> map.error("tls_server", "is required"));
        var config = new TlsStreamServerConfig(base, tls, StreamUpstream.parse(map, ctx.baseDir()));
        map.ignoreWithWarning("auth_by_client_ip", "tls_ticketer");
        map.finish();
        return config;
    }
}
