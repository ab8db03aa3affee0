package io.g3k.dataplane.resolve;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The c-ares resolver against a real dnsmasq on loopback: answers, NXDOMAIN, caching, and the egress check; and
 * against a DNS server that never answers.
 */
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

    /**
     * A DNS server that takes queries and never answers: a name fails with 530 once the resolver's timeout (500 ms,
     * one try) has run out, a request for an IP address on the same proxy meanwhile is not held up by it, and the
     * failure is not cached: the next request asks again.
     */
    @Test
    void aDnsServerThatNeverAnswersFailsTheNameAtTheTimeoutAndHoldsUpNothingElse() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
             TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(dir, config(silent.getLocalPort()))) {
            AtomicInteger queries = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                byte[] packet = new byte[512];
                while (!silent.isClosed()) {
                    try {
                        silent.receive(new DatagramPacket(packet, packet.length));
                        queries.incrementAndGet();
                    } catch (Exception closed) {
                        return;
                    }
                }
            });
            String http = "http://127.0.0.1:" + proxy.port("http");
            long start = System.nanoTime();
            var unanswered = CompletableFuture.supplyAsync(() -> curl("-x", http, "-o", "/dev/null", "-w",
                    "%{http_code}", "http://silent.test/"));
            Awaitility.await().atMost(Duration.ofSeconds(2)).until(() -> queries.get() > 0);
            long literalStart = System.nanoTime();
            var literal = Curl.run("-x", http, "http://127.0.0.1:" + origin.port() + "/meanwhile");
            assertThat(literal.out()).as(literal.err()).isEqualTo("hello /meanwhile\n");
            assertThat(Duration.ofNanos(System.nanoTime() - literalStart)).isLessThan(Duration.ofMillis(400));
            assertThat(unanswered.get(10, TimeUnit.SECONDS)).isEqualTo("530");
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(450), Duration.ofMillis(3000));
            int asked = queries.get();
            assertThat(curl("-x", http, "-o", "/dev/null", "-w", "%{http_code}", "http://silent.test/"))
                    .isEqualTo("530");
            assertThat(queries.get()).isGreaterThan(asked);
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 0);
        }
    }

    private static String curl(String... args) {
        try {
            return Curl.run(args).out();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
