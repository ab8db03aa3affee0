package io.g3k.dataplane.server.http;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;

/**
 * The HTTP/1.1 server side of a front: Netty's strict request decoder with our limits, and its response encoder
 * told which request each response answers. Two handlers rather than {@code HttpServerCodec}: that codec queues
 * each request's method until a response object passes its encoder, so responses relayed as raw bytes
 * ({@link RawResponseDecoder}) would fill its queue; and the front answers one request at a time, so one field
 * says what the queue would.
 */
public final class HttpCodecs {
    /** Long enough for real URIs, short enough that a 70 KiB request line is refused with 414. */
    private static final int MAX_REQUEST_LINE = 16 * 1024;

    private HttpCodecs() {}

    /** Adds the decoder and the encoder right after the handler named {@code after}, or last when it is null. */
    public static void addServer(ChannelPipeline pipeline, String after, int maxHeaderSize) {
        var decoder = new HttpRequestDecoder(new HttpDecoderConfig().setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(maxHeaderSize));
        if (after == null) {
            pipeline.addLast("http-decoder", decoder).addLast("http-encoder", new ResponseEncoder());
        } else {
            pipeline.addAfter(after, "http-decoder", decoder).addAfter("http-decoder", "http-encoder",
                    new ResponseEncoder());
        }
    }

    /** Netty's response encoder, with what HttpServerCodec adds for HEAD and CONNECT requests. */
    static final class ResponseEncoder extends HttpResponseEncoder {
        private HttpMethod answering = HttpMethod.GET;

        /** The method of the request the next response answers. */
        void answering(HttpMethod method) {
            answering = method;
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            return HttpMethod.HEAD.equals(answering) || super.isContentAlwaysEmpty(msg);
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(answering)
                    && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }
    }
}
