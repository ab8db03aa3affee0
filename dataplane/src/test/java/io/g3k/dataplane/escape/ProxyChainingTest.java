package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Proxy chaining against real peers on loopback: squid (proxy_http), microsocks with authentication
 * (proxy_socks5), and a second g3k over mTLS (proxy_https); route_failover surviving the death of its primary.
 */
class ProxyChainingTest {
    @TempDir
    static Path dir;
    static TestOrigin origin;
    static TestPki pki;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        pki = new TestPki(dir);
    }

    @AfterAll
    static void stop() {
        origin.close();
    }

    static String chain(String escapers) {
        return Yaml.RESOLVER_AND_ESCAPER + escapers + """
                server:
                  - name: http
                    type: http_proxy
                    escaper: chain
                    listen: "127.0.0.1:0"
                  - name: socks
                    type: socks_proxy
                    escaper: chain
                    listen: "127.0.0.1:0"
                """;
    }

    String through(RunningProxy proxy, String path) throws Exception {
        var http = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "http://127.0.0.1:" + origin.port() + path);
        var socks = Curl.run("-x", "socks5h://127.0.0.1:" + proxy.port("socks"),
                "http://127.0.0.1:" + origin.port() + path);
        assertThat(socks.out()).as(socks.err()).isEqualTo(http.out());
        return http.out() + http.err();
    }

    @Test
    void chainsThroughSquid() throws Exception {
        try (PeerProcess squid = PeerProcess.squid();
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("squid-chain")), chain("""
                       - name: chain
                         type: proxy_http
                         proxy_addr: 127.0.0.1:%d
                     """.formatted(squid.port())))) {
            assertThat(through(proxy, "/via-squid")).isEqualTo("hello /via-squid\n");
            Path log = squid.home().resolve("access.log");
            // the SOCKS task is a tunnel; the forwarded HTTP request reaches squid as it is, in absolute form
            org.awaitility.Awaitility.await().until(() -> Files.exists(log) && Files.readString(log).contains("CONNECT")
                    && Files.readString(log).contains("GET http://127.0.0.1:" + origin.port() + "/via-squid"));
        }
    }

    /**
     * tcp_connect: a next proxy whose name has two addresses, the first refusing connections, is reached on the
     * second unless max_retry is 0. dnsmasq answers a name's addresses in the reverse of the order given.
     */
    @Test
    void triesTheNextProxysOtherAddressesWithinMaxRetry() throws Exception {
        try (PeerProcess squid = PeerProcess.squid();
             Dnsmasq dns = Dnsmasq.start("/squid.test/127.0.0.1", "/squid.test/127.0.0.3");
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("tcp-connect")), """
                     resolver:
                       - {name: dns, type: c-ares, server: "127.0.0.1:%1$d"}
                     escaper:
                       - {name: retry, type: proxy_http, proxy_addr: "squid.test:%2$d", resolver: dns,
                          tcp_connect: {max_retry: 1, each_timeout: 2s}}
                       - {name: once, type: proxy_http, proxy_addr: "squid.test:%2$d", resolver: dns,
                          tcp_connect: {max_retry: 0}}
                     server:
                       - {name: retry, type: http_proxy, escaper: retry, listen: "127.0.0.1:0"}
                       - {name: once, type: http_proxy, escaper: once, listen: "127.0.0.1:0"}
                     """.formatted(dns.port(), squid.port()))) {
            String url = "http://127.0.0.1:" + origin.port() + "/retried";
            var retried = Curl.run("-x", "http://127.0.0.1:" + proxy.port("retry"), url);
            assertThat(retried.out()).as(retried.err()).isEqualTo("hello /retried\n");
            var once = Curl.run("-s", "-o", "/dev/null", "-w", "%{http_code}", "-x",
                    "http://127.0.0.1:" + proxy.port("once"), url);
            assertThat(once.out()).isNotEqualTo("200");
        }
    }

    /** bind_ipv4: squid logs the connections from g3k as coming from that address. */
    @Test
    void connectsToTheNextProxyFromBindIpv4() throws Exception {
        try (PeerProcess squid = PeerProcess.squid();
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("squid-bind")), chain("""
                       - name: chain
                         type: proxy_http
                         proxy_addr: 127.0.0.1:%d
                         bind_ipv4: 127.0.0.2
                     """.formatted(squid.port())))) {
            assertThat(through(proxy, "/bound")).isEqualTo("hello /bound\n");
            Path log = squid.home().resolve("access.log");
            org.awaitility.Awaitility.await().until(() -> Files.exists(log) && Files.readString(log).contains("/bound"));
            // squid's native log: time, elapsed, client address, ...
            assertThat(Files.readString(log).lines().filter(l -> l.contains("/bound")))
                    .isNotEmpty().allSatisfy(l -> assertThat(l.split("\\s+")[2]).isEqualTo("127.0.0.2"));
        }
    }

    /** pass_proxy_userid: the next proxy is told the client's user name, with g3proxy's fixed password. */
    @Test
    void passesTheUserIdToTheNextProxy() throws Exception {
        try (ServerSocket next = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("userid")),
                     Yaml.RESOLVER_AND_ESCAPER + """
                       - {name: chain, type: proxy_http, proxy_addr: "127.0.0.1:%d", pass_proxy_userid: true}
                     """.formatted(next.getLocalPort()) + Configs.USER_GROUP + """
                     server:
                       - {name: http, type: http_proxy, escaper: chain, user_group: users, listen: "127.0.0.1:0"}
                     """)) {
            CompletableFuture<String> head = CompletableFuture.supplyAsync(() -> {
                try (Socket s = next.accept()) {
                    String got = new RawClient(s).readHead();
                    s.getOutputStream().write("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n".getBytes());
                    return got;
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            var r = Curl.run("-p", "-x", "http://127.0.0.1:" + proxy.port("http"), "-U", "root:toor",
                    "http://127.0.0.1:" + origin.port() + "/userid");
            assertThat(r.exit()).as(r.err()).isNotZero(); // the stand-in next proxy refuses every tunnel
            String expected = Base64.getEncoder().encodeToString("root:g3proxy".getBytes(StandardCharsets.UTF_8));
            assertThat(head.get(10, TimeUnit.SECONDS)).startsWith("CONNECT 127.0.0.1:" + origin.port() + " ")
                    .containsIgnoringCase("proxy-authorization: Basic " + expected + "\r\n");
        }
    }

    @Test
    void chainsThroughMicrosocksWithAuthentication() throws Exception {
        try (PeerProcess socks = PeerProcess.microsocks(dir, "chain-user", "chain-pass");
             RunningProxy good = RunningProxy.start(Files.createDirectories(dir.resolve("socks-good")), chain("""
                       - name: chain
                         type: proxy_socks5
                         proxy_addr: 127.0.0.1:%d
                         proxy_username: chain-user
                         proxy_password: chain-pass
                     """.formatted(socks.port())));
             RunningProxy bad = RunningProxy.start(Files.createDirectories(dir.resolve("socks-bad")), chain("""
                       - name: chain
                         type: proxy_socks5
                         proxy_addr: 127.0.0.1:%d
                         proxy_username: chain-user
                         proxy_password: wrong
                     """.formatted(socks.port())))) {
            assertThat(through(good, "/via-socks")).isEqualTo("hello /via-socks\n");
            var refused = Curl.run("-x", "http://127.0.0.1:" + bad.port("http"), "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:" + origin.port() + "/");
            assertThat(refused.out()).isEqualTo("523");
        }
    }

    /** A second g3k as the next proxy, requiring client certificates from the test CA; {@code extra}: more keys. */
    static RunningProxy mtlsRelay(String name, String extra) throws Exception {
        return RunningProxy.start(Files.createDirectories(dir.resolve(name)), Yaml.withServers("""
                  - name: relay
                    type: http_proxy
                    escaper: default
                    listen: "127.0.0.1:0"
                    tls_server:
                      cert_pairs:
                        certificate: %s
                        private_key: %s
                      enable_client_auth: true
                      ca_certificate: %s
                """.formatted(pki.serverCertPem, pki.serverKeyPem, pki.caPem) + extra));
    }

    @Test
    void chainsToAnotherG3kOverMutualTls() throws Exception {
        try (RunningProxy relay = mtlsRelay("relay", "");
             RunningProxy gw = RunningProxy.start(Files.createDirectories(dir.resolve("gw")), chain("""
                       - name: chain
                         type: proxy_https
                         proxy_addr: 127.0.0.1:%d
                         tls_name: localhost
                         tls_client:
                           ca_certificate: %s
                           certificate: %s
                           private_key: %s
                     """.formatted(relay.port("relay"), pki.caPem, pki.clientCertPem, pki.clientKeyPem)));
             RunningProxy noCert = RunningProxy.start(Files.createDirectories(dir.resolve("gw-nocert")), chain("""
                       - name: chain
                         type: proxy_https
                         proxy_addr: 127.0.0.1:%d
                         tls_name: localhost
                         tls_client:
                           ca_certificate: %s
                     """.formatted(relay.port("relay"), pki.caPem)))) {
            assertThat(through(gw, "/via-mtls")).isEqualTo("hello /via-mtls\n");
            var refused = Curl.run("-x", "http://127.0.0.1:" + noCert.port("http"), "-o", "/dev/null", "-w",
                    "%{http_code}", "http://127.0.0.1:" + origin.port() + "/");
            assertThat(refused.out()).isNotEqualTo("200");
        }
    }

    /**
     * A client's https forward request ({@code GET https://...}) through a gateway whose own TLS client does not
     * trust the origin's CA, chained over mTLS to a relay that does: with {@code forward_https} the relay gets the
     * request as it is and does the TLS, so it succeeds; without it the gateway does TLS itself and fails.
     */
    @Test
    void forwardHttpsHandsHttpsRequestsToTheNextProxy() throws Exception {
        try (TestOrigin tlsOrigin = TestOrigin.https(pki);
             RunningProxy relay = mtlsRelay("fwd-relay", "    tls_client: {ca_certificate: " + pki.caPem + "}\n");
             RunningProxy forwarding = RunningProxy.start(Files.createDirectories(dir.resolve("fwd-on")),
                     httpsChain(relay.port("relay"), true));
             RunningProxy tunnelling = RunningProxy.start(Files.createDirectories(dir.resolve("fwd-off")),
                     httpsChain(relay.port("relay"), false))) {
            String request = "GET https://127.0.0.1:" + tlsOrigin.port() + "/secret HTTP/1.1\r\nHost: 127.0.0.1:"
                    + tlsOrigin.port() + "\r\nConnection: close\r\n\r\n";
            try (RawClient client = new RawClient(forwarding.port("http"))) {
                String response = client.send(request).readUntilClosed();
                assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello /secret\n");
            }
            try (RawClient client = new RawClient(tunnelling.port("http"))) {
                assertThat(client.send(request).readUntilClosed()).startsWith("HTTP/1.1 525")
                        .contains("certification path");
            }
            assertThat(tlsOrigin.requests).hasValue(1);
        }
    }

    private String httpsChain(int relayPort, boolean forwardHttps) {
        return chain("""
                  - name: chain
                    type: proxy_https
                    proxy_addr: 127.0.0.1:%d
                    tls_name: localhost
                    http_forward_capability:
                      forward_https: %s
                    tls_client:
                      ca_certificate: %s
                      certificate: %s
                      private_key: %s
                """.formatted(relayPort, forwardHttps, pki.caPem, pki.clientCertPem, pki.clientKeyPem));
    }

    /** FTP over HTTP: curl's ftp:// request goes to squid as it is with forward_ftp; g3k has no FTP client. */
    @Test
    void forwardFtpHandsFtpRequestsToSquid() throws Exception {
        Path ftpRoot = Files.createDirectories(dir.resolve("ftp-root"));
        Files.writeString(ftpRoot.resolve("notes.txt"), "over ftp\n");
        int ftpPort = PeerProcess.freePort();
        try (PeerProcess squid = PeerProcess.squid();
             PeerProcess ftp = PeerProcess.ftpServer(ftpRoot, ftpPort);
             RunningProxy on = RunningProxy.start(Files.createDirectories(dir.resolve("ftp-on")), chain("""
                       - name: chain
                         type: proxy_http
                         proxy_addr: 127.0.0.1:%d
                         http_forward_capability: {forward_ftp: true}
                     """.formatted(squid.port())));
             RunningProxy off = RunningProxy.start(Files.createDirectories(dir.resolve("ftp-off")), chain("""
                       - name: chain
                         type: proxy_http
                         proxy_addr: 127.0.0.1:%d
                     """.formatted(squid.port())))) {
            String url = "ftp://127.0.0.1:" + ftpPort + "/notes.txt";
            var fetched = Curl.run("-x", "http://127.0.0.1:" + on.port("http"), url);
            assertThat(fetched.out().strip()).as(fetched.err()).isEqualTo("over ftp");
            var refused = Curl.run("-x", "http://127.0.0.1:" + off.port("http"), "-s", "-w", "%{http_code}", url);
            assertThat(refused.out()).endsWith("501").contains("forward_ftp");
        }
    }

    @Test
    void routeFailoverKeepsServingWhenThePrimaryDies() throws Exception {
        PeerProcess squid = PeerProcess.squid();
        try (RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("failover")), chain("""
                  - name: via_squid
                    type: proxy_http
                    proxy_addr: 127.0.0.1:%d
                  - name: chain
                    type: route_failover
                    primary_next: via_squid
                    standby_next: default
                    fallback_delay: 200ms
                """.formatted(squid.port())))) {
            int ok = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            for (int i = 0; i < 40 && System.nanoTime() < deadline; i++) {
                if (i == 15) {
                    squid.close();
                }
                var r = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"),
                        "http://127.0.0.1:" + origin.port() + "/f" + i);
                assertThat(r.out()).as("request %d: %s", i, r.err()).isEqualTo("hello /f" + i + "\n");
                ok++;
            }
            assertThat(ok).isEqualTo(40);
        } finally {
            squid.close();
        }
    }

    /**
     * {@code peer_negotiation_timeout}: a next proxy that takes the TCP connection and then says nothing (no CONNECT
     * reply, no SOCKS5 method, no TLS ServerHello) fails the task at the timeout with the right status, and g3k closes
     * its connection to it. Tunnels ({@code curl -p}) and, through proxy_https, a forwarded request's TLS alike.
     */
    @ParameterizedTest
    @CsvSource({"proxy_http, true, 523", "proxy_socks5, true, 523", "proxy_https, true, 525", "proxy_https, false, 525"})
    void aNextProxyThatNeverAnswersIsLetGoAtThePeerNegotiationTimeout(String type, boolean tunnel, int status)
            throws Exception {
        try (ServerSocket next = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("silent-" + type + tunnel)),
                     Yaml.RESOLVER_AND_ESCAPER + """
                       - {name: chain, type: %s, proxy_addr: "127.0.0.1:%d", peer_negotiation_timeout: 1s%s}
                     server:
                       - {name: http, type: http_proxy, escaper: chain, listen: "127.0.0.1:0"}
                     """.formatted(type, next.getLocalPort(), type.equals("proxy_https") ? ", tls_client: {}" : ""))) {
            CompletableFuture<Long> closedAfterMillis = CompletableFuture.supplyAsync(() -> {
                try (Socket s = next.accept()) {
                    long accepted = System.nanoTime();
                    s.setSoTimeout(10_000);
                    while (s.getInputStream().read() >= 0) {
                        // what g3k sends first (a CONNECT, a SOCKS5 greeting, a ClientHello) gets no answer
                    }
                    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - accepted);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            var args = new ArrayList<>(List.of("-x", "http://127.0.0.1:" + proxy.port("http"), "-o", "/dev/null",
                    "-w", tunnel ? "%{http_connect}" : "%{http_code}", "http://127.0.0.1:" + origin.port() + "/"));
            if (tunnel) {
                args.add(0, "-p");
            }
            var r = Curl.run(args.toArray(String[]::new));
            assertThat(r.out()).as(r.err()).isEqualTo(String.valueOf(status));
            assertThat(closedAfterMillis.get(10, TimeUnit.SECONDS)).isBetween(900L, 3_000L);
        }
    }
}
