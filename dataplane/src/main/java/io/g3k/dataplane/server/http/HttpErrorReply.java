package io.g3k.dataplane.server.http;

import io.g3k.dataplane.escape.EscapeException;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** Error answers of the HTTP proxy; each closes the connection, so no unread request bytes are ever parsed. */
public final class HttpErrorReply {
    /** g3proxy's custom codes, kept so existing clients and dashboards read them the same way. */
    static final HttpResponseStatus UPSTREAM_REFUSED = new HttpResponseStatus(521, "Web Server Is Down");
    static final HttpResponseStatus UPSTREAM_TIMEOUT = new HttpResponseStatus(522, "Connection Timed Out");
    static final HttpResponseStatus UPSTREAM_UNREACHABLE = new HttpResponseStatus(523, "Origin Is Unreachable");
    static final HttpResponseStatus UPSTREAM_TLS_FAILED = new HttpResponseStatus(525, "SSL Handshake Failed");
    static final HttpResponseStatus RESOLVE_FAILED = new HttpResponseStatus(530, "Origin DNS Error");

    private HttpErrorReply() {}

    /** A plain-text error answer that closes the connection. */
    static FullHttpResponse response(HttpResponseStatus status, String message) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(message + "\n", StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        return response;
    }

    static void send(ChannelHandlerContext ctx, FullHttpResponse response) {
        ctx.channel().config().setAutoRead(false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    static HttpResponseStatus statusOf(EscapeException e) {
        return switch (e.reason()) {
            case DENIED, FORBIDDEN_ADDRESS -> HttpResponseStatus.FORBIDDEN;
            case RESOLVE_FAILED -> RESOLVE_FAILED;
            case CONNECT_REFUSED -> UPSTREAM_REFUSED;
            case CONNECT_TIMEOUT -> UPSTREAM_TIMEOUT;
            case UNREACHABLE -> UPSTREAM_UNREACHABLE;
            case TLS_FAILED -> UPSTREAM_TLS_FAILED;
        };
    }
}
