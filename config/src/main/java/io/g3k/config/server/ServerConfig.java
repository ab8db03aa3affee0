package io.g3k.config.server;

import io.g3k.config.DstFilters;
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

    /** The server's own destination filters: http_proxy and socks_proxy have them (their records' component). */
    default DstFilters dstFilters() {
        return DstFilters.NONE;
    }

    /** Servers this one hands accepted connections to. */
    default List<String> nextServers() {
        return List.of();
    }
}
