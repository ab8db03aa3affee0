package io.g3k.dataplane.server.port;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** intelli_proxy, plain_tcp_port and PROXY protocol v1/v2 with the ingress filter on the announced client. */
class PortsAndProxyProtocolTest {
    @TempDir
    static Path dir;
    static TestOrigin origin;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        proxy = RunningProxy.start(dir, Yaml.withServers("""
                  - name: intelli
                    type: intelli_proxy
                    listen: "127.0.0.1:0"
                    http_server: http
                    socks_server: socks
                  - name: http
                    type: HttpProxy
                    escaper: default
                    listen: "127.0.0.1:0"
                    ingress_network_filter:
                      default: forbid
                      allow: [127.0.0.1, 10.1.2.0/24]
                  - name: socks
                    type: SocksProxy
                    escaper: default
                  - name: pp1
                    type: plain_tcp_port
                    listen: "127.0.0.1:0"
                    server: http
                    proxy_protocol: v1
                    proxy_protocol_read_timeout: 1s
                    ingress_network_filter: {}
                  - name: pp2
                    type: plain_tcp_port
                    listen: "127.0.0.1:0"
                    server: http
                    proxy_protocol: v2
                """));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    String target(String path) {
        return "http://127.0.0.1:" + origin.port() + path;
    }

    @Test
    void intelliProxyServesHttpAndSocksOnOnePort() throws Exception {
        String port = "127.0.0.1:" + proxy.port("intelli");
        assertThat(Curl.run("-x", "http://" + port, target("/via-http")).out()).isEqualTo("hello /via-http\n");
        assertThat(Curl.run("-x", "socks5h://" + port, target("/via-socks5")).out()).isEqualTo("hello /via-socks5\n");
        assertThat(Curl.run("-x", "socks4://" + port, target("/via-socks4")).out()).isEqualTo("hello /via-socks4\n");
    }

    @Test
    void curlsProxyProtocolHeaderIsAccepted() throws Exception {
        var r = Curl.run("--haproxy-protocol", "-x", "http://127.0.0.1:" + proxy.port("pp1"), target("/pp"));
        assertThat(r.out()).as(r.err()).isEqualTo("hello /pp\n");
    }

    @Test
    void theAnnouncedClientIsFilteredNotTheSocketPeer() throws Exception {
        String request = "GET " + target("/announced") + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
        try (RawClient allowed = new RawClient(proxy.port("pp1"))) {
            String response = allowed.send("PROXY TCP4 10.1.2.3 127.0.0.1 5555 80\r\n" + request).readUntilClosed();
            assertThat(response).startsWith("HTTP/1.1 200").endsWith("hello /announced\n");
        }
        int before = origin.requests.get();
        try (RawClient denied = new RawClient(proxy.port("pp1"))) {
            assertThat(denied.send("PROXY TCP4 192.0.2.9 127.0.0.1 5555 80\r\n" + request).readUntilClosed()).isEmpty();
        }
        try (RawClient v2 = new RawClient(proxy.port("pp2"))) {
            String response = v2.send(proxyV2("10.1.2.4")).send(request).readUntilClosed();
            assertThat(response).startsWith("HTTP/1.1 200");
        }
        try (RawClient v2denied = new RawClient(proxy.port("pp2"))) {
            assertThat(v2denied.send(proxyV2("192.0.2.10")).send(request).readUntilClosed()).isEmpty();
        }
        // only the allowed v2 request reached the origin
        assertThat(origin.requests.get()).isEqualTo(before + 1);
    }

    @Test
    void missingMalformedOrWrongVersionHeadersAreClosed() throws Exception {
        int before = origin.requests.get();
        String request = "GET " + target("/") + " HTTP/1.1\r\nHost: x\r\n\r\n";
        try (RawClient none = new RawClient(proxy.port("pp1"))) {
            assertThat(none.send(request).readUntilClosed()).isEmpty();
        }
        try (RawClient bad = new RawClient(proxy.port("pp1"))) {
            assertThat(bad.send("PROXY TCP4 not-an-ip 127.0.0.1 1 2\r\n" + request).readUntilClosed()).isEmpty();
        }
        try (RawClient wrongVersion = new RawClient(proxy.port("pp1"))) {
            assertThat(wrongVersion.send(proxyV2("10.1.2.3")).send(request).readUntilClosed()).isEmpty();
        }
        try (RawClient silent = new RawClient(proxy.port("pp1"))) {
            long start = System.nanoTime();
            assertThat(silent.readUntilClosed()).isEmpty();
            assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(5_000);
        }
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    static byte[] proxyV2(String source) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(28);
        b.put(new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A});
        b.put((byte) 0x21).put((byte) 0x11).putShort((short) 12);
        b.put(java.net.InetAddress.getByName(source).getAddress()).put(new byte[] {127, 0, 0, 1});
        b.putShort((short) 5555).putShort((short) 80);
        return b.array();
    }
}
