package io.g3k.dataplane.server.socksproxy;

import io.g3k.config.server.SocksProxyServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.netty.channel.Channel;
import io.netty.handler.codec.socksx.SocksPortUnificationServerHandler;

/** {@code socks_proxy}: Netty's SOCKS version detection and codecs, then {@link SocksNegotiationHandler}. */
public final class SocksProxyServer extends Server {
    private final SocksProxyServerConfig config;

    public SocksProxyServer(SocksProxyServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.config = config;
    }

    @Override
    protected void initChild(Channel ch) {
        ch.pipeline().addLast("socks-detect", new SocksPortUnificationServerHandler());
        ch.pipeline().addLast("socks", new SocksNegotiationHandler(config, context));
    }
}
