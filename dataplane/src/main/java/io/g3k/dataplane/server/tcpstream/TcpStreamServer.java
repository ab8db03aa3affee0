package io.g3k.dataplane.server.tcpstream;

import io.g3k.config.server.StreamUpstream;
import io.g3k.config.server.TcpStreamServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.runtime.Transport;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.stream.StreamConnectHandler;
import io.g3k.dataplane.util.Picker;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.channel.Channel;
import java.time.Duration;

/** {@code tcp_stream}: every connection is relayed to a picked {@code proxy_pass} upstream (TLS if configured). */
public final class TcpStreamServer extends Server {
    private final StreamConnectHandler.Settings settings;

    public TcpStreamServer(TcpStreamServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.settings = settings(config.name(), TcpStreamServerConfig.TYPE, config.upstream());
    }

    /** Shared with tls_stream: the picker and the TLS client context are built once per server. */
    public static StreamConnectHandler.Settings settings(String name, String type, StreamUpstream upstream) {
        return new StreamConnectHandler.Settings(name, type, Picker.of(upstream),
                upstream.tlsClient().map(tls -> TlsClientContexts.build(tls, "server '" + name + "'")),
                upstream.tlsName(),
                upstream.tlsClient().map(tls -> tls.handshakeTimeout()).orElse(Duration.ofSeconds(10)));
    }

    /** Only relays bytes: on the relay loops. */
    @Override
    protected Transport transport() {
        return context.transport().relays();
    }

    @Override
    protected void initChild(Channel ch) {
        ch.pipeline().addLast("stream", new StreamConnectHandler(settings, context));
    }
}
