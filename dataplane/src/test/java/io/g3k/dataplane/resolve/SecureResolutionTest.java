package io.g3k.dataplane.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Unbound;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The guide's Secure Resolution: a hickory resolver over DoT and DoH against a real unbound on loopback. */
class SecureResolutionTest {
    @TempDir
    Path dir;

    static String config(String encryption, int port, String tlsClient) {
        return """
                resolver:
                  - name: secure
                    type: hickory
                    server: 127.0.0.1
                    server_port: %d
                    encryption: %s
                    tls_name: localhost
                    each_timeout: 2s
                    each_tries: 1
                %s
                escaper:
                  - name: direct
                    type: direct_fixed
                    resolver: secure
                    egress_network_filter: {default: allow, allow: 127.0.0.1}
                server:
                  - name: http
                    type: http_proxy
                    escaper: direct
                    listen: "127.0.0.1:0"
                """.formatted(port, encryption, tlsClient);
    }

    @ParameterizedTest
    @CsvSource({"dns-over-tls", "dns-over-https"})
    void resolvesOverEncryptedDns(String encryption) throws Exception {
        TestPki pki = new TestPki(dir);
        try (TestOrigin origin = TestOrigin.http();
             Unbound unbound = Unbound.start(dir, pki, "g3k.test.", "origin.g3k.test. 300 IN A 127.0.0.1");
             RunningProxy proxy = RunningProxy.start(dir, config(encryption,
                     encryption.equals("dns-over-tls") ? unbound.dotPort : unbound.dohPort,
                     "    tls_client:\n      ca_certificate: " + pki.caPem))) {
            var r = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"),
                    "http://origin.g3k.test:" + origin.port() + "/secure");
            assertThat(r.out()).as(r.err()).isEqualTo("hello /secure\n");
            assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "-o", "/dev/null", "-w", "%{http_code}",
                    "http://missing.g3k.test/").out()).isEqualTo("530");
        }
    }

    @Test
    void refusesAServerItCannotVerify() throws Exception {
        TestPki pki = new TestPki(dir);
        try (TestOrigin origin = TestOrigin.http();
             Unbound unbound = Unbound.start(dir, pki, "g3k.test.", "origin.g3k.test. 300 IN A 127.0.0.1");
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("untrusted")),
                     config("dns-over-tls", unbound.dotPort, ""))) {
            assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "-o", "/dev/null", "-w", "%{http_code}",
                    "http://origin.g3k.test:" + origin.port() + "/").out()).isEqualTo("530");
        }
    }
}
