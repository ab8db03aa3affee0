package io.g3k.dataplane.server.http;

import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * The checks every HTTP server does that Netty's decoder leaves to us: a decoder failure becomes 400/414/431,
 * only HTTP/1.0 and 1.1, a bounded number of header fields, at most one Host (exactly one on HTTP/1.1).
 */
public final class HttpRequestChecks {
    public static final int MAX_HEADERS = 128;

    private HttpRequestChecks() {}

    /** The Host header values (zero or one) of a request that passed the checks. */
    public static List<String> check(HttpRequest request) {
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
        return hosts;
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
}
