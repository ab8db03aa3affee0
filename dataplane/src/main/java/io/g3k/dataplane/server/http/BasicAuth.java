package io.g3k.dataplane.server.http;

import io.g3k.dataplane.auth.User;
import io.g3k.dataplane.auth.UserGroup;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/** HTTP Basic credentials (RFC 7617) checked against a user group, and the challenge sent when they fail. */
public final class BasicAuth {
    private BasicAuth() {}

    /** The authenticated user for a {@code Basic} header value; empty when missing, malformed or wrong. */
    public static Optional<User> check(String header, UserGroup group, UserGroup.Refusals refusals) {
        if (header == null || !header.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(header.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? Optional.empty() : group.authenticate(decoded.substring(0, colon), decoded.substring(colon + 1),
                refusals);
    }

    /** 407 with Proxy-Authenticate (forward proxy) or 401 with WWW-Authenticate (reverse proxy). */
    public static FullHttpResponse challenge(boolean proxy, String realm) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                proxy ? HttpResponseStatus.PROXY_AUTHENTICATION_REQUIRED : HttpResponseStatus.UNAUTHORIZED,
                Unpooled.EMPTY_BUFFER);
        response.headers().set(proxy ? HttpHeaderNames.PROXY_AUTHENTICATE : HttpHeaderNames.WWW_AUTHENTICATE,
                "Basic realm=\"" + realm + "\"");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }
}
