package io.g3k.dataplane.server.intelliproxy;

import io.g3k.config.server.IntelliProxyServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.port.ProxyProtocolHandler;
import io.netty.channel.Channel;
import java.util.function.Function;

/** {@code intelli_proxy}: HTTP and SOCKS clients on one port, handed to {@code http_server} / {@code socks_server}. */
public final class IntelliProxyServer extends Server {
    private final IntelliProxyServerConfig config;
    private final Function<String, Server> servers;

    public IntelliProxyServer(IntelliProxyServerConfig config, ServerContext context, Function<String, Server> servers) {
        super(config.base(), context);
        this.config = config;
        this.servers = servers;
    }

    @Override
    protected void initChild(Channel ch) {
        Runnable detect = () -> ch.pipeline().addLast("detect", new ProtocolDetectHandler(
                () -> servers.apply(config.httpServer()), () -> servers.apply(config.socksServer()),
                config.protocolDetectionTimeout()));
        if (config.proxyProtocol().isPresent()) {
            ProxyProtocolHandler.install(ch, config.proxyProtocol().get(), config.proxyProtocolReadTimeout(),
                    context.stats(), detect);
        } else {
            detect.run();
        }
    }
}
