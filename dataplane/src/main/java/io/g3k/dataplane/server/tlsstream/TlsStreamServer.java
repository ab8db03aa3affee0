package io.g3k.dataplane.server.tlsstream;

import io.g3k.config.server.TlsStreamServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.stream.StreamConnectHandler;
import io.g3k.dataplane.server.tcpstream.TcpStreamServer;
import io.g3k.dataplane.tls.TlsHandshakeGate;
import io.g3k.dataplane.tls.TlsServerContext;
import io.netty.channel.Channel;

/** {@code tls_stream}: terminate TLS (optionally requiring a client certificate), then relay as tcp_stream. */
public final class TlsStreamServer extends Server {
    private final TlsServerContext tls;
    private final StreamConnectHandler.Settings settings;

    public TlsStreamServer(TlsStreamServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.tls = TlsServerContext.build(config.tlsServer(), "server '" + config.name() + "'");
        this.settings = TcpStreamServer.settings(config.name(), TlsStreamServerConfig.TYPE, config.upstream());
    }

    @Override
    protected void initChild(Channel ch) {
        tls.addTo(ch);
        ch.pipeline().addLast("tls-gate", new TlsHandshakeGate(context.stats(),
                () -> ch.pipeline().addLast("stream", new StreamConnectHandler(settings, context))));
    }
}
