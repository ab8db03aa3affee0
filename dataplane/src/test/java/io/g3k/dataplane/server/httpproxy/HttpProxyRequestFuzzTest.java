package io.g3k.dataplane.server.httpproxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.g3k.dataplane.server.http.HttpRejection;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Any request target and Host header a client can put in a forward-proxy request: a target with a port and a
 * path starting with '/', or an HttpRejection; never another exception, never user info or a fragment passed on.
 */
class HttpProxyRequestFuzzTest {
    @FuzzTest(maxDuration = "5s")
    void parsesAnyTarget(FuzzedDataProvider data) {
        boolean connect = data.consumeBoolean();
        boolean customHost = data.consumeBoolean();
        String host = data.consumeString(64);
        String uri = data.consumeRemainingAsAsciiString();
        DefaultHttpRequest request;
        try {
            request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, connect ? HttpMethod.CONNECT : HttpMethod.GET, uri);
            if (!host.isEmpty()) {
                request.headers().add("Host", host);
            }
        } catch (IllegalArgumentException notARequest) {
            return; // Netty's decoder never yields such a target or header (whitespace, control bytes)
        }
        try {
            HttpProxyRequest parsed = HttpProxyRequest.of(request, customHost);
            assertThat(parsed.target().port()).isBetween(1, 65535);
            assertThat(parsed.target().host()).isNotEmpty().doesNotContain("@", "/", "\0");
            if (!parsed.connect()) {
                assertThat(parsed.originForm()).startsWith("/").doesNotContain("#");
            }
        } catch (HttpRejection expected) {
            assertThat(expected.status.code()).isBetween(400, 505);
        }
    }
}
