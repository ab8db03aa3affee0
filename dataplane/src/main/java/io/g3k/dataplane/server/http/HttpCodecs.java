package io.g3k.dataplane.server.http;

import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/** Netty's strict HTTP/1.1 server codec with our limits. */
public final class HttpCodecs {
    public static final String SERVER_CODEC = "http-codec";
    /** Long enough for real URIs, short enough that a 70 KiB request line is refused with 414. */
    private static final int MAX_REQUEST_LINE = 16 * 1024;

    private HttpCodecs() {}

    public static HttpServerCodec server(int maxHeaderSize) {
        return new HttpServerCodec(new HttpDecoderConfig().setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(maxHeaderSize));
    }
}
