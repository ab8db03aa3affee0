package io.g3k.config.server;

import io.g3k.config.LoadContext;
import io.g3k.config.YamlMap;

/** {@code type: tcp_stream}: map a local port to upstream TCP (or TLS, with {@code tls_client}) addresses. */
public record TcpStreamServerConfig(ServerBase base, StreamUpstream upstream) implements ServerConfig {
    public static final String TYPE = "tcp_stream";

    @Override
    public String type() {
        return TYPE;
    }

    static TcpStreamServerConfig parse(String name, YamlMap map, LoadContext ctx) {
        var config = new TcpStreamServerConfig(ServerBase.proxy(name, map), StreamUpstream.parse(map, ctx.baseDir()));
        map.ignoreWithWarning("auth_by_client_ip");
        map.finish();
        return config;
    }
}
