package io.g3k.dataplane.server.port;

import io.g3k.config.server.PortServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.tls.TlsHandshakeGate;
import io.g3k.dataplane.tls.TlsServerContext;
import io.netty.channel.Channel;
import java.util.function.Function;

/**
 * {@code plain_tcp_port}, {@code plain_tls_port}, {@code native_tls_port}: a listener that reads the PROXY
 * protocol header (if configured), terminates TLS (for the TLS ports), then hands the connection to its server.
 * Traffic, logs and the ingress check of the announced client belong to that server.
 */
public final class PortServer extends Server {
    private final PortServerConfig config;
    private final TlsServerContext tls;
    private final Function<String, Server> servers;

    public PortServer(PortServerConfig config, ServerContext context, Function<String, Server> servers) {
        super(config.base(), context);
        this.config = config;
        this.tls = config.tlsServer().map(t -> TlsServerContext.build(t, "server '" + config.name() + "'"))
                .orElse(null);
        this.servers = servers;
    }

    @Override
    protected void initChild(Channel ch) {
        Runnable handOver = () -> {
            Server next = servers.apply(config.server());
            if (next == null) {
                ch.close();
            } else {
                next.accept(ch);
            }
        };
        Runnable afterHeader = tls == null ? handOver : () -> {
            tls.addTo(ch);
            ch.pipeline().addLast("tls-gate", new TlsHandshakeGate(context.stats(), handOver));
        };
        if (config.proxyProtocol().isPresent()) {
            ProxyProtocolHandler.install(ch, config.proxyProtocol().get(), config.proxyProtocolReadTimeout(),
                    context.stats(), afterHeader);
        } else {
            afterHeader.run();
        }
    }
}
