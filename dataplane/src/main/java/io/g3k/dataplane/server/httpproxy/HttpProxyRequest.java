package io.g3k.dataplane.server.httpproxy;

import io.g3k.config.UpstreamAddr;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;
import java.util.Locale;

/**
 * What a proxy request asks for, after the checks Netty's decoder leaves to us: HTTP/1.x only, absolute-form URI
 * (origin-form is for origin servers, not proxies), exactly one Host on HTTP/1.1, CONNECT to host:port only, a
 * bounded number of headers. Anything else is an {@link HttpRejection}.
 */
record HttpProxyRequest(boolean connect, boolean tls, UpstreamAddr target, String originForm) {
    static final int MAX_HEADERS = 128;

    static HttpProxyRequest of(HttpRequest request, boolean allowCustomHost) {
        checkDecoded(request.decoderResult());
        HttpVersion version = request.protocolVersion();
        if (version.majorVersion() != 1 || version.minorVersion() > 1) {
            throw new HttpRejection(HttpResponseStatus.HTTP_VERSION_NOT_SUPPORTED, "only HTTP/1.0 and HTTP/1.1");
        }
        if (request.headers().size() > MAX_HEADERS) {
            throw new HttpRejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE,
                    "more than " + MAX_HEADERS + " header fields");
        }
        List<String> hosts = request.headers().getAll(HttpHeaderNames.HOST);
        if (hosts.size() > 1) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "more than one Host header");
        }
        if (hosts.isEmpty() && version.equals(HttpVersion.HTTP_1_1)) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "missing Host header");
        }
        String uri = request.uri();
        HttpProxyRequest parsed = HttpMethod.CONNECT.equals(request.method()) ? connect(uri) : forward(uri);
        if (!allowCustomHost && !hosts.isEmpty() && !sameHost(hosts.getFirst(), parsed.target(), parsed.tls())) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "Host header does not match the request target");
        }
        return parsed;
    }

    private static void checkDecoded(DecoderResult result) {
        if (result.isSuccess()) {
            return;
        }
        Throwable cause = result.cause();
        if (cause instanceof TooLongHttpLineException) {
            throw new HttpRejection(HttpResponseStatus.REQUEST_URI_TOO_LONG, "request line too long");
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            throw new HttpRejection(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "request header too large");
        }
        throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "malformed request: " + cause.getMessage());
    }

    private static HttpProxyRequest connect(String uri) {
        if (uri.contains("/") || uri.contains("@") || uri.contains("?") || uri.contains("#")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "CONNECT target must be host:port");
        }
        try {
            return new HttpProxyRequest(true, false, UpstreamAddr.parse(uri, -1), "");
        } catch (IllegalArgumentException e) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "bad CONNECT target: " + e.getMessage());
        }
    }

    private static HttpProxyRequest forward(String uri) {
        String lower = uri.toLowerCase(Locale.ROOT);
        boolean tls;
        if (lower.startsWith("http://")) {
            tls = false;
        } else if (lower.startsWith("https://")) {
            tls = true;
        } else if (uri.startsWith("/")) {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "this is a proxy: the request target must be "
                    + "an absolute URI (http://host/path)");
        } else {
            throw new HttpRejection(HttpResponseStatus.BAD_REQUEST, "unsupported request target scheme");
        }
        String rest = uri.substring(tls ? 8 : 7);
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
            target = UpstreamAddr.parse(authority, tls ? 443 : 80);
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
        return new HttpProxyRequest(false, tls, target, path);
    }

    private static boolean sameHost(String hostHeader, UpstreamAddr target, boolean tls) {
        try {
            UpstreamAddr host = UpstreamAddr.parse(hostHeader, tls ? 443 : 80);
            return host.host().equals(target.host()) && host.port() == target.port();
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
