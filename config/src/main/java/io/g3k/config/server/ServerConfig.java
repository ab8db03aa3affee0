package io.g3k.config.server;

import io.g3k.config.ListenConfig;
import java.util.List;
import java.util.Optional;

/** A {@code server:} entry: an ingress that accepts clients and hands their tasks to an escaper or another server. */
public sealed interface ServerConfig permits HttpProxyServerConfig, SocksProxyServerConfig, TcpStreamServerConfig,
        TlsStreamServerConfig, SniProxyServerConfig, HttpRProxyServerConfig, IntelliProxyServerConfig,
        PortServerConfig {
    ServerBase base();

    String type();

    default String name() {
        return base().name();
    }

    default Optional<ListenConfig> listen() {
        return base().listen();
    }

    /** Servers this one hands accepted connections to. */
    default List<String> nextServers() {
        return List.of();
    }
}
