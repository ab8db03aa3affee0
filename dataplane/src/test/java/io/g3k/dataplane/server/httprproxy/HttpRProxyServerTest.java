package io.g3k.dataplane.server.httprproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** http_rproxy, shaped like the guide's Secure Reverse Proxy example, with curl. */
class HttpRProxyServerTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestOrigin service1;
    static TestOrigin service2;
    static TestOrigin tlsService;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        service1 = TestOrigin.http();
        service2 = TestOrigin.http();
        tlsService = TestOrigin.https(pki);
        proxy = RunningProxy.start(dir, Yaml.withServers("""
                  - name: plain
                    escaper: default
                    type: http_rproxy
                    listen: "127.0.0.1:0"
                    hosts:
                      - exact_match: service1.example.net
                        upstream: 127.0.0.1:%1$d
                      - child_match: tls.example.net
                        upstream: 127.0.0.1:%3$d
                        tls_client:
                          ca_certificate: %4$s
                        tls_name: localhost
                      - exact_match: service2.example.net
                        set_default: true
                        upstream: 127.0.0.1:%2$d
                  - name: guarded
                    escaper: default
                    user-group: users
                    type: http_rproxy
                    listen: "127.0.0.1:0"
                    no_early_error_reply: true
                    hosts:
                      - exact_match: service1.example.net
                        upstream: 127.0.0.1:%1$d
                  - name: secure
                    escaper: default
                    type: http_rproxy
                    listen: "127.0.0.1:0"
                    enable_tls_server: true
                    hosts:
                      - exact_match: localhost
                        upstream: 127.0.0.1:%1$d
                        tls_server:
                          cert_pairs:
                            - certificate: %5$s
                              private_key: %6$s
                """.formatted(service1.port(), service2.port(), tlsService.port(), pki.caPem, pki.serverCertPem,
                pki.serverKeyPem)) + Configs.USER_GROUP);
    }

    @AfterAll
    static void stop() {
        proxy.close();
        service1.close();
        service2.close();
        tlsService.close();
    }

    String plain(String path) {
        return "http://127.0.0.1:" + proxy.port("plain") + path;
    }

    @Test
    void routesByHostWithADefaultSite() throws Exception {
        int one = service1.requests.get();
        int two = service2.requests.get();
        assertThat(Curl.run("-H", "Host: service1.example.net", plain("/s1")).out()).isEqualTo("hello /s1\n");
        assertThat(Curl.run("-H", "Host: SERVICE1.example.net:80", plain("/s1")).out()).isEqualTo("hello /s1\n");
        assertThat(Curl.run("-H", "Host: unknown.example.org", plain("/fallback")).out()).isEqualTo("hello /fallback\n");
        assertThat(service1.requests.get() - one).isEqualTo(2);
        assertThat(service2.requests.get() - two).isEqualTo(1);
    }

    @Test
    void forwardsToATlsUpstreamForChildNames() throws Exception {
        var r = Curl.run("-H", "Host: api.tls.example.net", plain("/tls-upstream"));
        assertThat(r.out()).as(r.err()).isEqualTo("hello /tls-upstream\n");
    }

    @Test
    void rejectsAbsoluteFormRequests() throws Exception {
        var r = Curl.run("-x", "http://127.0.0.1:" + proxy.port("plain"), "-o", "/dev/null", "-w", "%{http_code}",
                "http://service1.example.net/");
        assertThat(r.out()).isEqualTo("400");
    }

    @Test
    void noEarlyErrorReplyStaysSilentUntilAuthenticated() throws Exception {
        String url = "http://127.0.0.1:" + proxy.port("guarded") + "/guarded";
        int before = service1.requests.get();
        var unknownHost = Curl.run("-u", "root:toor", "-H", "Host: other.example.net", url);
        assertThat(unknownHost.exit()).isEqualTo(52); // empty reply from server
        var noAuth = Curl.run("-H", "Host: service1.example.net", url);
        assertThat(noAuth.exit()).isEqualTo(52);
        assertThat(service1.requests.get()).isEqualTo(before);
        var ok = Curl.run("-u", "root:toor", "-H", "Host: service1.example.net", url);
        assertThat(ok.out()).as(ok.err()).isEqualTo("hello /guarded\n");
    }

    @Test
    void servesTlsWithThePerHostCertificate() throws Exception {
        int port = proxy.port("secure");
        var r = Curl.run("--cacert", pki.caPem.toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                "https://localhost:" + port + "/secure");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /secure\n");
    }
}
