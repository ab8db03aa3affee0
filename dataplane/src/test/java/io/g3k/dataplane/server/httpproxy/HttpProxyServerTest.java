package io.g3k.dataplane.server.httpproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http_proxy with real curl against real origins on loopback. */
class HttpProxyServerTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestOrigin origin;
    static TestOrigin tlsOrigin;
    static RunningProxy proxy;
    static String proxyUrl;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        origin = TestOrigin.http();
        tlsOrigin = TestOrigin.https(pki);
        proxy = RunningProxy.start(dir, Configs.proxies(true, """
                    tls_client:
                      ca_certificate: %s
                """.formatted(pki.caPem), ""));
        proxyUrl = "http://127.0.0.1:" + proxy.port("http");
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
        tlsOrigin.close();
    }

    String originUrl(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    @Test
    void forwardsPlainGet() throws Exception {
        var r = Curl.run("-x", proxyUrl, originUrl("/hello"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /hello\n");
    }

    @Test
    void resolvesNamesThroughTheResolver() throws Exception {
        // "localhost" comes from /etc/hosts, as c-ares does; ::1 is filtered out, 127.0.0.1 is allowed
        var r = Curl.run("-x", proxyUrl, "http://localhost:" + origin.port() + "/named");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /named\n");
    }

    @Test
    void keepsTheClientConnectionAlive() throws Exception {
        var r = Curl.run("-x", proxyUrl, "-w", "[%{num_connects}]", originUrl("/a"), originUrl("/b"));
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /a\n[1]hello /b\n[0]");
    }

    @Test
    void forwardsRequestBodiesAndLargeResponses() throws Exception {
        var post = Curl.run("-x", proxyUrl, "--data-binary", "ping-body", originUrl("/echo"));
        assertThat(post.out()).isEqualTo("ping-body");
        var big = Curl.run("-x", proxyUrl, "-o", "/dev/null", "-w", "%{size_download}", originUrl("/big"));
        assertThat(big.out()).isEqualTo(String.valueOf(1 << 20));
    }

    @Test
    void stripsHopByHopAndProxyHeaders() throws Exception {
        var r = Curl.run("-x", proxyUrl, "-H", "Proxy-Connection: keep-alive", "-H", "X-Kept: yes",
                "-H", "Connection: X-Dropped", "-H", "X-Dropped: 1", originUrl("/headers"));
        assertThat(r.out()).contains("x-kept: yes").doesNotContain("proxy-connection").doesNotContain("x-dropped");
    }

    @Test
    void tunnelsConnectToATlsOrigin() throws Exception {
        var r = Curl.run("-p", "-x", proxyUrl, "--cacert", pki.caPem.toString(),
                "https://localhost:" + tlsOrigin.port() + "/tls");
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /tls\n");
    }

    @Test
    void doesHttpsForwardForAbsoluteHttpsUris() throws Exception {
        try (RawClient c = new RawClient(proxy.port("http"))) {
            c.send("GET https://localhost:" + tlsOrigin.port() + "/l7 HTTP/1.1\r\nHost: localhost:"
                    + tlsOrigin.port() + "\r\nConnection: close\r\n\r\n");
            String response = c.readUntilClosed();
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello /l7\n");
        }
    }

    @Test
    void httpsForwardFailsClosedOnAnUntrustedCertificate() throws Exception {
        Path other = Files.createDirectories(dir.resolve("untrusted"));
        try (RunningProxy strict = RunningProxy.start(other, Configs.proxies(true, "", ""));
             RawClient c = new RawClient(strict.port("http"))) {
            c.send("GET https://localhost:" + tlsOrigin.port() + "/x HTTP/1.1\r\nHost: localhost\r\n\r\n");
            assertThat(c.readUntilClosed()).startsWith("HTTP/1.1 525");
        }
    }

    @Test
    void answersPipelinedRequestsInOrder() throws Exception {
        assertAnsweredInOrder("Connection: close\r\n", false);
    }

    /** A client that shuts its sending side after its requests (printf | nc -N) still gets every answer. */
    @Test
    void answersAClientThatHalfClosesAfterItsRequests() throws Exception {
        assertAnsweredInOrder("", true);
    }

    /** Two requests in one write (the second with {@code lastHeader}); both answers come, the first first. */
    private void assertAnsweredInOrder(String lastHeader, boolean halfClose) throws Exception {
        try (RawClient c = new RawClient(proxy.port("http"))) {
            String host = "127.0.0.1:" + origin.port();
            c.send("GET http://" + host + "/one HTTP/1.1\r\nHost: " + host + "\r\n\r\n"
                    + "GET http://" + host + "/two HTTP/1.1\r\nHost: " + host + "\r\n" + lastHeader + "\r\n");
            if (halfClose) {
                c.socket().shutdownOutput();
            }
            String response = c.readUntilClosed();
            assertThat(response.indexOf("hello /one")).as(response).isPositive()
                    .isLessThan(response.indexOf("hello /two"));
        }
    }

    @Test
    void deniesLoopbackByDefault() throws Exception {
        Path other = Files.createDirectories(dir.resolve("default-filter"));
        int before = origin.requests.get();
        try (RunningProxy strict = RunningProxy.start(other, Configs.proxies(false, "", ""))) {
            String url = "http://127.0.0.1:" + strict.port("http");
            assertThat(Curl.run("-x", url, "-o", "/dev/null", "-w", "%{http_code}", originUrl("/")).out())
                    .isEqualTo("403");
            for (String target : new String[] {"http://169.254.169.254/", "http://[::ffff:127.0.0.1]:"
                    + origin.port() + "/", "http://[::1]:" + origin.port() + "/", "http://0.0.0.0:" + origin.port() + "/"}) {
                assertThat(Curl.run("-x", url, "-o", "/dev/null", "-w", "%{http_code}", target).out())
                        .as(target).isEqualTo("403");
            }
            // loopback spelled the ways URL parsers disagree on, and a name that resolves to it, sent raw (curl
            // would normalise some of them itself): never reached
            for (String host : new String[] {"2130706433", "0x7f000001", "0177.0.0.1", "127.1", "localhost"}) {
                String authority = host + ":" + origin.port();
                try (RawClient c = new RawClient(strict.port("http"))) {
                    c.send("GET http://" + authority + "/ HTTP/1.1\r\nHost: " + authority + "\r\n"
                            + "Connection: close\r\n\r\n");
                    assertThat(c.readUntilClosed()).as(host).matches("(?s)HTTP/1\\.1 (400|403|530) .*");
                }
            }
            var connect = Curl.run("-p", "-x", url, "https://127.0.0.1:" + tlsOrigin.port() + "/");
            assertThat(connect.exit()).isNotZero();
            assertThat(connect.err()).contains("403");
        }
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    @Test
    void reportsUnreachableTargetsWithG3proxyCodes() throws Exception {
        // port 9 (discard) is closed on loopback
        assertThat(Curl.run("-x", proxyUrl, "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:9/").out())
                .isEqualTo("521");
        assertThat(Curl.run("-x", proxyUrl, "-o", "/dev/null", "-w", "%{http_code}", "http://no-such-host.invalid/")
                .out()).isEqualTo("530");
    }
}
