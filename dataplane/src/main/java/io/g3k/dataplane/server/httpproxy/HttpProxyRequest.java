package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.UpstreamAddr;
import io.g3k.dataplane.server.http.HttpRejection;
import io.g3k.dataplane.server.http.HttpRequestChecks;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.List;
import java.util.Locale;

/**
 * What a forward-proxy request asks for: after {@link HttpRequestChecks}, an absolute-form URI (origin-form is for
 * origin servers, not proxies) or CONNECT to host:port only. Anything else is an {@link HttpRejection}.
 */
record HttpProxyRequest(boolean connect, String scheme, UpstreamAddr target, String originForm, String authority) {
    static HttpProxyRequest of(HttpRequest request, boolean allowCustomHost) {
        List<String> hosts = HttpRequestChecks.check(request);
        String uri = request.uri();
        HttpProxyRequest parsed = HttpMethod.CONNECT.equals(request.method()) ? connect(uri) : forward(uri);
        if (!allowCustomHost && !hosts.isEmpty() && !sameHost(hosts.getFirst(), parsed, defaultPort(parsed.scheme()))) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "Host header does not match the request target");
        }
        return parsed;
    }

    private static HttpProxyRequest connect(String uri) {
        if (uri.contains("/") || uri.contains("@") || uri.contains("?") || uri.contains("#")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "CONNECT target must be host:port");
        }
        try {
            return new HttpProxyRequest(true, "", UpstreamAddr.parse(uri, -1), "", uri);
        } catch (IllegalArgumentException e) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "bad CONNECT target: " + e.getMessage());
        }
    }

    private static HttpProxyRequest forward(String uri) {
        int colon = uri.indexOf("://");
        String scheme = colon > 0 ? uri.substring(0, colon).toLowerCase(Locale.ROOT) : "";
        if (uri.startsWith("/")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "this is a proxy: the request target must be "
                    + "an absolute URI (http://host/path)");
        } else if (defaultPort(scheme) < 0) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "unsupported request target scheme");
        }
        String rest = uri.substring(colon + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        if (authority.contains("@")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "user info in the request target is not allowed");
        }
        UpstreamAddr target;
        try {
            target = UpstreamAddr.parse(authority, defaultPort(scheme));
        } catch (IllegalArgumentException e) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "bad request target: " + e.getMessage());
        }
        String path = rest.substring(end);
        int fragment = path.indexOf('#');
        if (fragment >= 0) {
            path = path.substring(0, fragment);
        }
        if (path.isEmpty() || path.startsWith("?")) {
            path = "/" + path;
        }
        return new HttpProxyRequest(false, scheme, target, path, authority);
    }

    /** The schemes a forward request may have, by their default ports; -1 for any other. */
    private static int defaultPort(String scheme) {
        return switch (scheme) {
            case "http" -> 80;
            case "https" -> 443;
            case "ftp" -> 21;
            default -> -1;
        };
    }

    private static boolean sameHost(String hostHeader, HttpProxyRequest parsed, int defaultPort) {
        if (hostHeader.equals(parsed.authority())) {
            return true; // the usual case: the same text parses the same
        }
        UpstreamAddr target = parsed.target();
        try {
            UpstreamAddr host = UpstreamAddr.parse(hostHeader, defaultPort);
            return host.host().equals(target.host()) && host.port() == target.port();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
