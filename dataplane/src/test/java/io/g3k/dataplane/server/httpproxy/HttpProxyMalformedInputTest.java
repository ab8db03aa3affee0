package io.g3k.dataplane.server.httpproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every bad request gets its status, the connection is closed, and nothing reaches the origin. */
class HttpProxyMalformedInputTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "", "");

    @AfterEach
    void nothingReachedTheOrigin() {
        assertThat(fixture.origin().requests.get()).isZero();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            origin-form               | GET /path HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                                   | 400
            missing Host              | GET http://%h/ HTTP/1.1\\r\\n\\r\\n                                              | 400
            duplicate Host            | GET http://%h/ HTTP/1.1\\r\\nHost: %h\\r\\nHost: evil\\r\\n\\r\\n                | 400
            CONNECT without port      | CONNECT 127.0.0.1 HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n                   | 400
            CONNECT with path         | CONNECT http://%h/ HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                           | 400
            CONNECT empty host        | CONNECT :443 HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n                                | 400
            user info in target       | GET http://u:p@%h/ HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                           | 400
            CL.TE smuggling           | POST http://%h/ HTTP/1.1\\r\\nHost: %h\\r\\nContent-Length: 4\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400
            doubled chunked           | POST http://%h/ HTTP/1.1\\r\\nHost: %h\\r\\nTransfer-Encoding: chunked, chunked\\r\\n\\r\\n0\\r\\n\\r\\n | 400
            space before colon        | GET http://%h/ HTTP/1.1\\r\\nHost : %h\\r\\n\\r\\n                                | 400
            bare LF                   | GET http://%h/ HTTP/1.1\\nHost: %h\\n\\n                                         | 400
            HTTP/9.0                  | GET http://%h/ HTTP/9.0\\r\\nHost: %h\\r\\n\\r\\n                                | 505
            unsupported scheme        | GET gopher://H/ HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                              | 400
            ftp without a next proxy  | GET ftp://%h/f HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                                | 501
            NUL in host               | GET http://a\\u0000b/ HTTP/1.1\\r\\nHost: %h\\r\\n\\r\\n                       | 400
            """)
    void rejects(String name, String request, int status) throws Exception {
        String host = "127.0.0.1:" + fixture.origin().port();
        String raw = request.replace("\\r", "\r").replace("\\n", "\n").replace("\\u0000", "\0").replace("%h", host);
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            String response = c.send(raw).readUntilClosed();
            assertThat(response).startsWith("HTTP/1.1 " + status);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"oversized header, 70000, 431", "oversized request line, 0, 414", "too many headers, -1, 431"})
    void rejectsOversizedHeads(String name, int headerBytes, int status) throws Exception {
        String host = "127.0.0.1:" + fixture.origin().port();
        String uri = headerBytes == 0 ? "/" + "a".repeat(70_000) : "/";
        String headers = headerBytes > 0 ? "X-Big: " + "b".repeat(headerBytes) + "\r\n"
                : headerBytes < 0 ? "X-H: v\r\n".repeat(500) : "";
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            String response = c.send("GET http://" + host + uri + " HTTP/1.1\r\nHost: " + host + "\r\n" + headers
                    + "\r\n").readUntilClosed();
            assertThat(response).startsWith("HTTP/1.1 " + status);
        }
    }
}
