package io.g3k.dataplane.server.sniproxy;

import io.g3k.config.server.SniProxyServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.server.ServerContext;
import io.netty.channel.Channel;

/** {@code sni_proxy}: TLS and HTTP on one port, routed by SNI or Host. */
public final class SniProxyServer extends Server {
    private final SniProxyServerConfig config;

    public SniProxyServer(SniProxyServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.config = config;
    }

    /** Only relays bytes: on the relay loops. */
    @Override
    protected Transport transport() {
        return context.transport().relays();
    }

    @Override
    protected void initChild(Channel ch) {
        ch.pipeline().addLast("sni", new SniProxyHandler(config, context));
    }
}
