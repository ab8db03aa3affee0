package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guide's Dynamic Route Binding (direct_float), Dynamic Proxy Chaining (proxy_float, passive), proxy_socks5s
 * to a TLS-wrapped g3k SOCKS server, and escaper-level resolve_redirection.
 */
class FloatEscapersTest {
    @TempDir
    Path dir;

    static String proxyFor(String escapers) {
        return Yaml.RESOLVER_AND_ESCAPER + escapers + """
                server:
                  - name: http
                    type: http_proxy
                    escaper: out
                    listen: "127.0.0.1:0"
                """;
    }

    @Test
    void directFloatBindsThePublishedAddress() throws Exception {
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(dir, proxyFor("""
                       - name: out
                         type: direct_float
                         resolver: default
                         egress_network_filter: {default: allow, allow: 127.0.0.1}
                     """))) {
            String url = "http://127.0.0.1:" + origin.port() + "/peer";
            String via = "http://127.0.0.1:" + proxy.port("http");
            assertThat(Curl.run("-x", via, url).out()).isEqualTo("127.0.0.1");
            assertThat(proxy.publish("out", "{\"ipv4\": \"127.0.0.2\"}")).isEqualTo("1 bind IPs");
            assertThat(Curl.run("-x", via, url).out()).isEqualTo("127.0.0.2");
            proxy.publish("out", "{\"ipv4\": [{\"ip\": \"127.0.0.3\", \"expire\": \"2020-01-01T00:00:00Z\"}]}");
            assertThat(Curl.run("-x", via, url).out()).as("an expired address is not used").isEqualTo("127.0.0.1");
            assertThatThrownBy(() -> proxy.publish("out", "{\"ipv4\": \"::1\"}"))
                    .hasMessageContaining("is not an ipv4 address");
        }
    }

    @Test
    void proxyFloatUsesPublishedUnexpiredPeers() throws Exception {
        try (TestOrigin origin = TestOrigin.http(); PeerProcess socks = PeerProcess.microsocks(dir, "f", "g");
             RunningProxy proxy = RunningProxy.start(dir, proxyFor("""
                       - name: out
                         type: proxy_float
                         source:
                           type: passive
                     """))) {
            String url = "http://127.0.0.1:" + origin.port() + "/float";
            String via = "http://127.0.0.1:" + proxy.port("http");
            assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}", url).out())
                    .as("no peer yet").isEqualTo("523");
            proxy.publish("out", "{\"type\": \"socks5\", \"addr\": \"127.0.0.1:" + socks.port()
                    + "\", \"username\": \"f\", \"password\": \"g\", \"expire\": \"2099-01-01T00:00:00Z\"}");
            assertThat(Curl.run("-x", via, url).out()).isEqualTo("hello /float\n");
            proxy.publish("out", "[{\"type\": \"socks5\", \"addr\": \"127.0.0.1:" + socks.port()
                    + "\", \"expire\": \"2001-01-01T00:00:00Z\"}]");
            assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}", url).out())
                    .as("only an expired peer").isEqualTo("523");
            assertThatThrownBy(() -> proxy.publish("out", "{\"type\": \"ftp\", \"addr\": \"127.0.0.1:1\"}"))
                    .hasMessageContaining("peer type must be");
        }
    }

    @Test
    void proxySocks5sReachesATlsWrappedSocksServer() throws Exception {
        TestPki pki = new TestPki(dir);
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy socksServer = RunningProxy.start(Files.createDirectories(dir.resolve("socks5s")),
                     Yaml.withServers("""
                               - name: socks
                                 type: socks_proxy
                                 escaper: default
                               - name: tls
                                 type: plain_tls_port
                                 listen: "127.0.0.1:0"
                                 server: socks
                                 tls_server:
                                   cert_pairs: {certificate: %s, private_key: %s}
                             """.formatted(pki.serverCertPem, pki.serverKeyPem)));
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("client")), proxyFor("""
                       - name: out
                         type: proxy_socks5s
                         proxy_addr: 127.0.0.1:%d
                         tls_name: localhost
                         tls_client:
                           ca_certificate: %s
                     """.formatted(socksServer.port("tls"), pki.caPem)))) {
            assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"),
                    "http://127.0.0.1:" + origin.port() + "/socks5s").out()).isEqualTo("hello /socks5s\n");
        }
    }

    @Test
    void escaperResolveRedirectionAnswersWithoutDns() throws Exception {
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(dir, proxyFor("""
                       - name: out
                         type: direct_fixed
                         resolver: default
                         egress_network_filter: {default: allow, allow: 127.0.0.1}
                         resolve_redirection:
                           - exact: t1.example.net
                             to: 127.0.0.1
                           - exact: t2.example.net
                             to: t1.example.net
                     """))) {
            String via = "http://127.0.0.1:" + proxy.port("http");
            assertThat(Curl.run("-x", via, "http://t1.example.net:" + origin.port() + "/t1").out())
                    .isEqualTo("hello /t1\n");
            // one redirection step only: t2 becomes t1, which is then resolved (and fails here: no DNS)
            assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}",
                    "http://t2.example.net:" + origin.port() + "/").out()).isEqualTo("530");
        }
    }
}
