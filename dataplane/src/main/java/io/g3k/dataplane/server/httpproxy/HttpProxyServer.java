package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;

/** {@code http_proxy}: Netty's strict HTTP/1.1 codec, then {@link HttpProxyHandler}. */
public final class HttpProxyServer extends Server {
    static final String CODEC = "http-codec";
    /** Long enough for real URIs, short enough that a 70 KiB request line is refused with 414. */
    private static final int MAX_REQUEST_LINE = 16 * 1024;

    private final HttpProxyServerConfig config;
    private final SslContext tlsClient;

    public HttpProxyServer(HttpProxyServerConfig config, ServerContext context) {
        super(config.name(), config.listen(), context);
        this.config = config;
        this.tlsClient = TlsClientContexts.build(config.tlsClient(), "server '" + config.name() + "'");
    }

    @Override
    protected void initChild(SocketChannel ch) {
        HttpDecoderConfig decoder = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(config.reqHeaderMaxSize());
        ch.pipeline().addLast(CODEC, new HttpServerCodec(decoder));
        ch.pipeline().addLast("http-proxy", new HttpProxyHandler(config, context, tlsClient));
    }
}
