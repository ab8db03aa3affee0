package io.g3k.dataplane.audit.icap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One ICAP request (RFC 3507) as bytes: what goes first (ICAP head, encapsulated HTTP heads, then the preview or the
 * whole body, chunked) and what follows a {@code 100 Continue} (the rest of the body), if anything does.
 */
record IcapRequestBytes(ByteBuf first, ByteBuf rest) {
    private static final byte[] CRLF = "\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * {@code heads}: the encapsulated heads in order ({@code req-hdr}, {@code res-hdr}); {@code bodyName}:
     * {@code req-body} or {@code res-body}; an empty body is sent as {@code null-body}. {@code preview} below zero
     * sends the whole body at once.
     */
    static IcapRequestBytes build(String method, URI url, Map<String, ByteBuf> heads, String bodyName, ByteBuf body,
                                  int preview) {
        StringBuilder encapsulated = new StringBuilder();
        int offset = 0;
        for (Map.Entry<String, ByteBuf> head : heads.entrySet()) {
            encapsulated.append(head.getKey()).append('=').append(offset).append(", ");
            offset += head.getValue().readableBytes();
        }
        boolean hasBody = body != null && body.isReadable();
        encapsulated.append(hasBody ? bodyName : "null-body").append('=').append(offset);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Host", url.getHost() + (url.getPort() > 0 ? ":" + url.getPort() : ""));
        headers.put("Allow", "204");
        int previewSize = hasBody && preview >= 0 ? Math.min(preview, body.readableBytes()) : -1;
        if (previewSize >= 0) {
            headers.put("Preview", String.valueOf(preview));
        }
        headers.put("Encapsulated", encapsulated.toString());
        StringBuilder head = new StringBuilder(method).append(' ').append(url).append(" ICAP/1.0\r\n");
        headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
        head.append("\r\n");

        CompositeByteBuf first = Unpooled.compositeBuffer();
        first.addComponent(true, Unpooled.copiedBuffer(head, StandardCharsets.US_ASCII));
        heads.values().forEach(h -> first.addComponent(true, h));
        if (!hasBody) {
            if (body != null) {
                body.release();
            }
            return new IcapRequestBytes(first, null);
        }
        if (previewSize < 0) {
            chunk(first, body);
            first.addComponent(true, Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII));
            return new IcapRequestBytes(first, null);
        }
        boolean whole = previewSize == body.readableBytes();
        if (previewSize > 0) {
            chunk(first, body.readRetainedSlice(previewSize));
        }
        // "ieof": the preview was the whole body, so the service must answer now and sends no 100 Continue
        first.addComponent(true, Unpooled.copiedBuffer(whole ? "0; ieof\r\n\r\n" : "0\r\n\r\n",
                StandardCharsets.US_ASCII));
        if (whole) {
            body.release();
            return new IcapRequestBytes(first, null);
        }
        CompositeByteBuf rest = Unpooled.compositeBuffer();
        chunk(rest, body);
        rest.addComponent(true, Unpooled.copiedBuffer("0\r\n\r\n", StandardCharsets.US_ASCII));
        return new IcapRequestBytes(first, rest);
    }

    private static void chunk(CompositeByteBuf out, ByteBuf data) {
        out.addComponent(true, Unpooled.copiedBuffer(Integer.toHexString(data.readableBytes()) + "\r\n",
                StandardCharsets.US_ASCII));
        out.addComponent(true, data);
        out.addComponent(true, Unpooled.wrappedBuffer(CRLF));
    }

    void release() {
        first.release();
        if (rest != null) {
            rest.release();
        }
    }
}
