package io.g3k.dataplane.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The c-ares resolver against a real dnsmasq on loopback: answers, NXDOMAIN, caching, and the egress check. */
class CAresResolverTest {
    @TempDir
    Path dir;

    static String config(int dnsPort) {
        return """
                resolver:
                  - name: default
                    type: c-ares
                    server: 127.0.0.1:%d
                    each_timeout: 500ms
                    each_tries: 1
                escaper:
                  - name: default
                    type: direct_fixed
                    resolver: default
                    egress_network_filter: {default: allow, allow: 127.0.0.1}
                server:
                  - name: http
                    type: http_proxy
                    escaper: default
                    listen: 127.0.0.1:0
                  - name: socks
                    type: socks_proxy
                    escaper: default
                    listen: 127.0.0.1:0
                """.formatted(dnsPort);
    }

    @Test
    void resolvesThroughTheConfiguredServerAndCachesAnswers() throws Exception {
        try (TestOrigin origin = TestOrigin.http()) {
            RunningProxy proxy;
            try (Dnsmasq dns = Dnsmasq.start("/origin.test/127.0.0.1", "/metadata.test/169.254.169.254")) {
                proxy = RunningProxy.start(dir, config(dns.port()));
                String http = "http://127.0.0.1:" + proxy.port("http");
                var r = Curl.run("-x", http, "http://origin.test:" + origin.port() + "/dns");
                assertThat(r.out()).as(r.err()).isEqualTo("hello /dns\n");
                var socks = Curl.run("-x", "socks5h://127.0.0.1:" + proxy.port("socks"),
                        "http://origin.test:" + origin.port() + "/socks-dns");
                assertThat(socks.out()).as(socks.err()).isEqualTo("hello /socks-dns\n");
                // a name that resolves to a forbidden address is refused after resolution
                assertThat(Curl.run("-x", http, "-o", "/dev/null", "-w", "%{http_code}", "http://metadata.test/").out())
                        .isEqualTo("403");
                assertThat(Curl.run("-x", http, "-o", "/dev/null", "-w", "%{http_code}", "http://unknown.test/").out())
                        .isEqualTo("530");
            }
            try (proxy) {
                // the DNS server is gone: the cached answer (TTL 300s) still serves
                var cached = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"),
                        "http://origin.test:" + origin.port() + "/cached");
                assertThat(cached.out()).as(cached.err()).isEqualTo("hello /cached\n");
                // and an uncached name fails with the DNS error code, within the timeout
                assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "-o", "/dev/null", "-w",
                        "%{http_code}", "http://other.test/").out()).isEqualTo("530");
            }
        }
    }
}
