package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.server.HttpForwardedHeaderType;
import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.server.http.UpstreamHeaders;
import io.g3k.dataplane.server.http.HttpFrontHandler;
import io.g3k.dataplane.server.http.HttpFrontSettings;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.g3k.dataplane.tls.TlsServerContext;
import io.netty.channel.Channel;

/** {@code http_proxy}: Netty's strict HTTP/1.1 codec, the shared HTTP front, and the forward-proxy policy. */
public final class HttpProxyServer extends Server {
    private final HttpProxyServerConfig config;
    private final HttpFrontSettings front;
    private final HttpProxyRouter router;
    private final TlsServerContext tls;

    public HttpProxyServer(HttpProxyServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.config = config;
        this.front = new HttpFrontSettings(config.name(), config.reqHeaderRecvTimeout(),
                config.pipelineReadIdleTimeout(), config.pipelineSize(), config.rspHeaderRecvTimeout(),
                config.rspHeaderMaxSize(), new UpstreamHeaders(config.stealForwardedFor(), HttpForwardedHeaderType.DISABLE,
                        config.dropDefaultPortInHost()),
                config.upstreamKeepalive(), config.logUriMaxChars(), config.customHeaders(), config.bodyLineMaxLength(),
                null);
        this.router = new HttpProxyRouter(config, context.userGroup(), UserAdmission.refusals(context, config.name()),
                TlsClientContexts.build(config.tlsClient(), "server '" + config.name() + "'"));
        this.tls = config.tlsServer().map(t -> TlsServerContext.build(t, "server '" + config.name() + "'")).orElse(null);
    }

    @Override
    protected boolean sharedReceiveBuffers() {
        return true;
    }

    @Override
    protected void initChild(Channel ch) {
        HttpFrontHandler.install(ch, tls, config.reqHeaderMaxSize(), front, context, router);
    }
}
