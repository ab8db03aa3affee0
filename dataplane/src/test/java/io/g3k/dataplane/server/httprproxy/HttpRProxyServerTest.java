package io.g3k.dataplane.server.httprproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.OriginsFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** http_rproxy, shaped like the guide's Secure Reverse Proxy example, with curl. */
class HttpRProxyServerTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
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
                """, Configs.USER_GROUP);

    String plain(String path) {
        return "http://127.0.0.1:" + origins.proxy().port("plain") + path;
    }

    @Test
    void routesByHostWithADefaultSite() throws Exception {
        int one = origins.first().requests.get();
        int two = origins.second().requests.get();
        assertThat(Curl.run("-H", "Host: service1.example.net", plain("/s1")).out()).isEqualTo("hello /s1\n");
        assertThat(Curl.run("-H", "Host: SERVICE1.example.net:80", plain("/s1")).out()).isEqualTo("hello /s1\n");
        assertThat(Curl.run("-H", "Host: unknown.example.org", plain("/fallback")).out()).isEqualTo("hello /fallback\n");
        assertThat(origins.first().requests.get() - one).isEqualTo(2);
        assertThat(origins.second().requests.get() - two).isEqualTo(1);
    }

    @Test
    void forwardsToATlsUpstreamForChildNames() throws Exception {
        var r = Curl.run("-H", "Host: api.tls.example.net", plain("/tls-upstream"));
        assertThat(r.out()).as(r.err()).isEqualTo("hello /tls-upstream\n");
    }

    @Test
    void rejectsAbsoluteFormRequests() throws Exception {
        var r = Curl.run("-x", "http://127.0.0.1:" + origins.proxy().port("plain"), "-o", "/dev/null", "-w", "%{http_code}",
                "http://service1.example.net/");
        assertThat(r.out()).isEqualTo("400");
    }

    @Test
    void noEarlyErrorReplyStaysSilentUntilAuthenticated() throws Exception {
        String url = "http://127.0.0.1:" + origins.proxy().port("guarded") + "/guarded";
        int before = origins.first().requests.get();
        var unknownHost = Curl.run("-u", "root:toor", "-H", "Host: other.example.net", url);
        assertThat(unknownHost.exit()).isEqualTo(52); // empty reply from server
        var noAuth = Curl.run("-H", "Host: service1.example.net", url);
        assertThat(noAuth.exit()).isEqualTo(52);
        assertThat(origins.first().requests.get()).isEqualTo(before);
        var ok = Curl.run("-u", "root:toor", "-H", "Host: service1.example.net", url);
        assertThat(ok.out()).as(ok.err()).isEqualTo("hello /guarded\n");
    }

    @Test
    void servesTlsWithThePerHostCertificate() throws Exception {
        int port = origins.proxy().port("secure");
        var r = Curl.run("--cacert", origins.pki().caPem.toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                "https://localhost:" + port + "/secure");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /secure\n");
    }
}
