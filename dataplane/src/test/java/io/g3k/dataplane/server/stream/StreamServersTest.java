package io.g3k.dataplane.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.OriginsFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** tcp_stream and tls_stream (the guide's TCP Mapping, TLS Offloading and TLS Encapsulation) with curl. */
class StreamServersTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - name: tcp
                    escaper: default
                    type: tcp_stream
                    listen: "127.0.0.1:0"
                    proxy_pass:
                      - "127.0.0.1:%1$d"
                      - "127.0.0.1:%2$d"
                    upstream_pick_policy: rr
                  - name: offload
                    escaper: default
                    type: tcp_stream
                    listen: "127.0.0.1:0"
                    proxy_pass: "127.0.0.1:%3$d"
                    tls_client:
                      ca_certificate: %4$s
                    upstream_tls_name: localhost
                  - name: tls
                    escaper: default
                    type: tls_stream
                    listen: "127.0.0.1:0"
                    tls_server:
                      cert_pairs:
                        certificate: %5$s
                        private_key: %6$s
                    proxy_pass: "127.0.0.1:%1$d"
                  - name: mtls
                    escaper: default
                    type: tls_stream
                    listen: "127.0.0.1:0"
                    tls_server:
                      cert_pairs:
                        - certificate: %5$s
                          private_key: %6$s
                      enable_client_auth: true
                      ca_certificate: %4$s
                    proxy_pass: "127.0.0.1:%1$d"
                  - name: stream_for_port
                    escaper: default
                    type: tcp_stream
                    proxy_pass: "127.0.0.1:%2$d"
                  - name: https_proxy
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                    tls_server:
                      cert_pairs:
                        certificate: %5$s
                        private_key: %6$s
                  - name: tls_port
                    type: plain_tls_port
                    listen: "127.0.0.1:0"
                    tls_server:
                      cert_pairs:
                        certificate: %5$s
                        private_key: %6$s
                    server: stream_for_port
                """, "");

    @Test
    void tcpStreamMapsAPortAndRoundRobins() throws Exception {
        int beforeA = origins.first().requests.get();
        int beforeB = origins.second().requests.get();
        for (int i = 0; i < 4; i++) {
            var r = Curl.run("http://127.0.0.1:" + origins.proxy().port("tcp") + "/rr" + i);
            assertThat(r.out()).as(r.err()).isEqualTo("hello /rr" + i + "\n");
        }
        assertThat(origins.first().requests.get() - beforeA).isEqualTo(2);
        assertThat(origins.second().requests.get() - beforeB).isEqualTo(2);
    }

    @Test
    void tcpStreamOffloadsTlsToTheUpstream() throws Exception {
        var r = Curl.run("http://127.0.0.1:" + origins.proxy().port("offload") + "/offloaded");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /offloaded\n");
    }

    @Test
    void tlsStreamTerminatesTls() throws Exception {
        var r = Curl.run("--cacert", origins.pki().caPem.toString(), "--resolve", "localhost:" + origins.proxy().port("tls") + ":127.0.0.1",
                "https://localhost:" + origins.proxy().port("tls") + "/encapsulated");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /encapsulated\n");
    }

    @Test
    void tlsStreamWithClientAuthRequiresACertificate() throws Exception {
        String url = "https://localhost:" + origins.proxy().port("mtls") + "/mtls";
        String resolve = "localhost:" + origins.proxy().port("mtls") + ":127.0.0.1";
        int before = origins.first().requests.get();
        var anonymous = Curl.run("--cacert", origins.pki().caPem.toString(), "--resolve", resolve, url);
        assertThat(anonymous.exit()).isNotZero();
        assertThat(origins.first().requests.get()).isEqualTo(before);
        var withCert = Curl.run("--cacert", origins.pki().caPem.toString(), "--resolve", resolve, "--cert",
                origins.pki().clientCertPem.toString(), "--key", origins.pki().clientKeyPem.toString(), url);
        assertThat(withCert.out()).as(withCert.err()).isEqualTo("hello /mtls\n");
    }

    @Test
    void plainTlsPortChainsToATcpStream() throws Exception {
        var r = Curl.run("--cacert", origins.pki().caPem.toString(), "--resolve", "localhost:" + origins.proxy().port("tls_port")
                + ":127.0.0.1", "https://localhost:" + origins.proxy().port("tls_port") + "/via-port");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /via-port\n");
    }

    @Test
    void httpProxyServesOverTlsWithTlsServer() throws Exception {
        var r = Curl.run("--proxy-cacert", origins.pki().caPem.toString(), "-x", "https://localhost:" + origins.proxy().port("https_proxy"),
                "http://127.0.0.1:" + origins.first().port() + "/via-https-proxy");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /via-https-proxy\n");
    }

    @Test
    void opensslSeesTheConfiguredCertificate() throws Exception {
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + origins.proxy().port("tls"),
                "-servername", "localhost", "-CAfile", origins.pki().caPem.toString(), "-verify_return_error")
                .redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out).contains("subject=CN = localhost").contains("Verify return code: 0 (ok)");
    }
}
