package io.g3k.dataplane.server.httprproxy;

import io.g3k.config.TlsServerConfig;
import io.g3k.config.server.HttpRProxyServerConfig;
import io.g3k.config.server.HttpRProxyServerConfig.Host;
import io.g3k.dataplane.server.Server;
import io.g3k.dataplane.server.ServerContext;
import io.g3k.dataplane.server.UserAdmission;
import io.g3k.dataplane.server.http.UpstreamHeaders;
import io.g3k.dataplane.server.http.HttpFrontHandler;
import io.g3k.dataplane.server.http.HttpFrontSettings;
import io.g3k.dataplane.server.http.UpstreamPool;
import io.g3k.dataplane.tls.TlsServerContext;
import io.netty.channel.Channel;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code http_rproxy}: the shared HTTP front with the reverse-proxy policy; with {@code enable_tls_server}, TLS
 * is terminated first, each site serving its own {@code tls_server} by SNI.
 */
public final class HttpRProxyServer extends Server {
    private final HttpRProxyServerConfig config;
    private final HttpFrontSettings front;
    private final HttpRProxyRouter router;
    private final TlsServerContext tls;

    public HttpRProxyServer(HttpRProxyServerConfig config, ServerContext context) {
        super(config.base(), context);
        this.config = config;
        this.front = new HttpFrontSettings(config.name(), config.reqHeaderRecvTimeout(),
                config.pipelineReadIdleTimeout(), config.pipelineSize(), config.rspHeaderRecvTimeout(),
                config.rspHeaderMaxSize(), new UpstreamHeaders(false, config.appendForwardedFor(), false),
                config.upstreamKeepalive(), config.logUriMaxChars(), config.customHeaders(), config.bodyLineMaxLength(),
                new UpstreamPool());
        this.router = new HttpRProxyRouter(config, context.userGroup(), UserAdmission.refusals(context, config.name()));
        this.tls = config.enableTlsServer() ? tlsBySite(config) : null;
    }

    private static TlsServerContext tlsBySite(HttpRProxyServerConfig config) {
        Map<List<String>, TlsServerConfig> sites = new LinkedHashMap<>();
        TlsServerConfig fallback = config.globalTlsServer().orElse(null);
        for (Host host : config.hosts()) {
            if (host.tlsServer().isEmpty()) {
                continue;
            }
            List<String> names = new ArrayList<>(host.match().exactMatch());
            host.match().childMatch().forEach(c -> names.add("*." + c));
            sites.put(names, host.tlsServer().get());
            if (fallback == null || host.setDefault()) {
                fallback = config.globalTlsServer().orElse(host.tlsServer().get());
            }
        }
        return TlsServerContext.forSites(sites, fallback, "server '" + config.name() + "'");
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
