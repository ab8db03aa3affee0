package io.g3k.dataplane.audit.icap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpObjectDecoder;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** HTTP message heads as ICAP encapsulates them: written as text, read back with Netty's HTTP decoders. */
final class HttpHeads {
    private HttpHeads() {}

    static ByteBuf encode(HttpRequest request, String requestTarget) {
        return encode(request.method() + " " + requestTarget + " " + request.protocolVersion(), request);
    }

    static ByteBuf encode(HttpResponse response) {
        return encode(response.protocolVersion() + " " + response.status(), response);
    }

    private static ByteBuf encode(String startLine, HttpMessage message) {
        StringBuilder head = new StringBuilder(startLine).append("\r\n");
        for (Map.Entry<String, String> h : message.headers()) {
            head.append(h.getKey()).append(": ").append(h.getValue()).append("\r\n");
        }
        return Unpooled.copiedBuffer(head.append("\r\n"), StandardCharsets.ISO_8859_1);
    }

    static HttpRequest decodeRequest(ByteBuf bytes, int maxHeaderSize) {
        return decode(bytes, new HttpRequestDecoder(4096, maxHeaderSize, 8192), HttpRequest.class);
    }

    static HttpResponse decodeResponse(ByteBuf bytes, int maxHeaderSize) {
        return decode(bytes, new HttpResponseDecoder(4096, maxHeaderSize, 8192), HttpResponse.class);
    }

    private static <T extends HttpObject> T decode(ByteBuf bytes, HttpObjectDecoder decoder, Class<T> type) {
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        try {
            channel.writeInbound(bytes);
            Object first = channel.readInbound();
            if (!type.isInstance(first) || !((HttpObject) first).decoderResult().isSuccess()) {
                ReferenceCountUtil.release(first);
                throw new IcapException("the ICAP service returned a malformed HTTP head");
            }
            return type.cast(first);
        } finally {
            channel.finishAndReleaseAll();
        }
    }
}
