package io.g3k.dataplane.server.httprproxy;

import io.g3k.config.UpstreamAddr;
import io.g3k.config.server.HttpRProxyServerConfig;
import io.g3k.config.server.HttpRProxyServerConfig.Host;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.server.http.BasicAuth;
import io.g3k.dataplane.server.http.HttpRejection;
import io.g3k.dataplane.server.http.HttpRequestChecks;
import io.g3k.dataplane.server.http.HttpRoute;
import io.g3k.dataplane.server.http.HttpRouter;
import io.g3k.dataplane.tls.TlsClientContexts;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.ssl.SslContext;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * http_rproxy's policy: origin-form requests, routed by Host to a site ({@code exact_match}, {@code child_match},
 * else the {@code set_default} site), Basic authentication against the user group. With
 * {@code no_early_error_reply}, unknown sites and failed authentication get no answer at all.
 */
final class HttpRProxyRouter implements HttpRouter {
    private static final int SITE_CACHE_SIZE = 1024;
    private final HttpRProxyServerConfig config;
    private final Optional<UserGroup> users;
    private final UserGroup.Refusals refusals;
    /** Each host's upstream side, made once: a request only adds its origin-form target. */
    private final Map<Host, Site> sites = new IdentityHashMap<>();
    private final Optional<Site> defaultSite;
    /** Host headers seen, with their site: parsing and matching per request costs more than a lookup. */
    private final Map<String, Optional<Site>> sitesByHostHeader = new ConcurrentHashMap<>();

    /** Where a host's requests go: scheme, upstream, TLS towards it (context, name, handshake timeout). */
    private record Site(String scheme, UpstreamAddr upstream, Optional<SslContext> tls, String tlsName,
                        Duration tlsHandshakeTimeout) {
        static Site of(Host host, String serverName) {
            Optional<SslContext> tls = host.tlsClient().map(config -> TlsClientContexts.build(config,
                    "server '" + serverName + "' host " + host.upstream()));
            return new Site(tls.isPresent() ? "https" : "http", host.upstream(), tls,
                    host.tlsName().orElse(host.upstream().host()),
                    host.tlsClient().map(t -> t.handshakeTimeout()).orElse(Duration.ofSeconds(10)));
        }

        HttpRoute.Target target(String originForm) {
            return new HttpRoute.Target(scheme, upstream, originForm, tls, tlsName, tlsHandshakeTimeout);
        }
    }

    HttpRProxyRouter(HttpRProxyServerConfig config, Optional<UserGroup> users, UserGroup.Refusals refusals) {
        this.config = config;
        this.users = users;
        this.refusals = refusals;
        for (Host host : config.hosts()) {
            sites.put(host, Site.of(host, config.name()));
        }
        this.defaultSite = config.hosts().stream().filter(Host::setDefault).findFirst().map(sites::get);
    }

    @Override
    public HttpRoute route(HttpRequest request) {
        var hosts = HttpRequestChecks.check(request);
        if (!request.uri().startsWith("/")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "a reverse proxy takes origin-form requests");
        }
        Optional<Site> site = hosts.isEmpty() ? defaultSite : site(hosts.getFirst());
        if (site.isEmpty()) {
            if (config.noEarlyErrorReply()) {
                return new HttpRoute.Drop();
            }
            throw new HttpRejection(HttpResponseStatus.NOT_FOUND, "no such site");
        }
        Optional<User> user = Optional.empty();
        if (users.isPresent()) {
            user = BasicAuth.check(request.headers().get(HttpHeaderNames.AUTHORIZATION), users.get(), refusals);
            if (user.isEmpty()) {
                return config.noEarlyErrorReply() ? new HttpRoute.Drop()
                        : new HttpRoute.Reply(BasicAuth.challenge(false, config.authRealm()));
            }
            request.headers().remove(HttpHeaderNames.AUTHORIZATION);
        }
        return new HttpRoute.Forward(site.get().target(request.uri()), user, "http_rproxy");
    }

    private Optional<Site> site(String hostHeader) {
        Optional<Site> known = sitesByHostHeader.get(hostHeader);
        if (known != null) {
            return known;
        }
        Optional<Site> site = match(hostHeader);
        if (sitesByHostHeader.size() < SITE_CACHE_SIZE) { // bounded: Host headers are the client's to choose
            sitesByHostHeader.put(hostHeader, site);
        }
        return site;
    }

    private Optional<Site> match(String hostHeader) {
        String name;
        try {
            name = UpstreamAddr.parse(hostHeader, 80).host();
        } catch (IllegalArgumentException e) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "bad Host header");
        }
        for (Host host : config.hosts()) {
            if (host.matches(name)) {
                return Optional.of(sites.get(host));
            }
        }
        return defaultSite;
    }
}
