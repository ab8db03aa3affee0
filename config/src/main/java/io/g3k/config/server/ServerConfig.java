package io.g3k.config.server;

import io.g3k.config.ListenConfig;
import java.util.Optional;

/** A {@code server:} entry: an ingress that accepts clients and hands their tasks to an escaper. */
public sealed interface ServerConfig permits HttpProxyServerConfig, SocksProxyServerConfig {
    String name();

    String type();

    Optional<ListenConfig> listen();

    String escaper();

    Optional<String> userGroup();
}
