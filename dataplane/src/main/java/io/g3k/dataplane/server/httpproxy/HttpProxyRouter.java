package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.server.HttpProxyServerConfig;
import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.auth.UserGroup;
import io.g3k.dataplane.server.http.BasicAuth;
import io.g3k.dataplane.server.http.HttpRoute;
import io.g3k.dataplane.server.http.HttpRouter;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.ssl.SslContext;
import java.util.Optional;

/** http_proxy's policy: absolute-form or CONNECT requests, Proxy-Authorization against the user group. */
final class HttpProxyRouter implements HttpRouter {
    private final HttpProxyServerConfig config;
    private final Optional<UserGroup> users;
    private final UserGroup.Refusals refusals;
    private final SslContext tlsClient;

    HttpProxyRouter(HttpProxyServerConfig config, Optional<UserGroup> users, UserGroup.Refusals refusals,
                    SslContext tlsClient) {
        this.config = config;
        this.users = users;
        this.refusals = refusals;
        this.tlsClient = tlsClient;
    }

    @Override
    public HttpRoute route(HttpRequest request) {
        HttpProxyRequest parsed = HttpProxyRequest.of(request, config.allowCustomHost());
        Optional<User> user = Optional.empty();
        if (users.isPresent()) {
            user = BasicAuth.check(request.headers().get(HttpHeaderNames.PROXY_AUTHORIZATION), users.get(), refusals);
            if (user.isEmpty()) {
                return config.noEarlyErrorReply() ? new HttpRoute.Drop()
                        : new HttpRoute.Reply(BasicAuth.challenge(true, config.authRealm()));
            }
        }
        if (parsed.connect()) {
            return new HttpRoute.Connect(parsed.target(), user);
        }
        boolean tls = parsed.scheme().equals("https");
        return new HttpRoute.Forward(new HttpRoute.Target(parsed.scheme(), parsed.target(), parsed.originForm(),
                tls ? Optional.of(tlsClient) : Optional.empty(), parsed.target().host(),
                config.tlsClient().handshakeTimeout()), user, switch (parsed.scheme()) {
                    case "https" -> "https_forward";
                    case "ftp" -> "ftp_over_http";
                    default -> "http_forward";
                });
    }
}
