package io.g3k.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * g3proxy's server-level policy keys, with curl and raw clients: {@code dst_port_filter} and
 * {@code dst_host_filter_set} on http_proxy and socks_proxy (refused before any connect), {@code no_early_error_reply}
 * on http_proxy (no 407 to a client without credentials), {@code auth_realm} on http_rproxy and
 * {@code body_line_max_length} (the longest chunk-size line taken from an upstream).
 */
class ServerPolicyTest {
    @TempDir
    static Path dir;
    static TestOrigin allowed;
    static TestOrigin other;
    static ServerSocket longChunkLines;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws IOException {
        allowed = TestOrigin.http();
        other = TestOrigin.http();
        longChunkLines = chunkedOrigin();
        String token = "          salt: 4e8f8a4e37f0fa1b\n          md5: d9d963915b9815d4cc39c196c2868900";
        proxy = RunningProxy.start(dir, Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                    dst_port_filter: [%1$d, %2$d]
                    dst_host_filter_set: {exact: [127.0.0.1]}
                  - name: socks
                    escaper: default
                    type: socks_proxy
                    listen: "127.0.0.1:0"
                    dst_port_filter: [%1$d]
                  - name: hidden
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                    user_group: users
                    no_early_error_reply: true
                  - name: short-lines
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                    body_line_max_length: 1000
                  - name: site
                    escaper: default
                    type: http_rproxy
                    listen: "127.0.0.1:0"
                    user_group: users
                    auth_realm: our site
                    hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]
                """.formatted(allowed.port(), longChunkLines.getLocalPort())) + """
                user_group:
                  - name: users
                    static_users:
                      - name: alice
                        token:
                %s
                """.formatted(token));
    }

    @AfterAll
    static void stop() throws IOException {
        proxy.close();
        allowed.close();
        other.close();
        longChunkLines.close();
    }

    /** Answers every request with a chunked body whose chunk-size line carries a 4 KiB extension. */
    private static ServerSocket chunkedOrigin() throws IOException {
        ServerSocket origin = new ServerSocket();
        origin.bind(new InetSocketAddress("127.0.0.1", 0));
        String body = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5;ext=" + "x".repeat(4096) + "\r\nhello\r\n0\r\n\r\n";
        Thread.ofVirtual().start(() -> {
            while (!origin.isClosed()) {
                try (Socket s = origin.accept()) {
                    s.getInputStream().read(new byte[8192]);
                    OutputStream out = s.getOutputStream();
                    out.write(body.getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                } catch (IOException e) {
                    return;
                }
            }
        });
        return origin;
    }

    private static String via(String server, String url) throws Exception {
        return Curl.run("-x", "http://127.0.0.1:" + proxy.port(server), "-s", "-o", "/dev/null", "-w", "%{http_code}",
                url).out();
    }

    @Test
    void theServersDestinationFiltersRefuseBeforeAnyConnect() throws Exception {
        int before = other.requests.get();
        assertThat(via("http", "http://127.0.0.1:" + allowed.port() + "/ok")).isEqualTo("200");
        assertThat(via("http", "http://127.0.0.1:" + other.port() + "/port")).isEqualTo("403");
        assertThat(via("http", "http://localhost:" + allowed.port() + "/host")).isEqualTo("403");
        var connect = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "-p", "-s", "-o", "/dev/null",
                "-w", "%{http_connect}", "http://127.0.0.1:" + other.port() + "/tunnel");
        assertThat(connect.out()).isEqualTo("403");
        String socks = "127.0.0.1:" + proxy.port("socks");
        assertThat(Curl.run("-x", "socks5h://" + socks, "http://127.0.0.1:" + allowed.port() + "/s5").out())
                .isEqualTo("hello /s5\n");
        assertThat(Curl.run("-x", "socks5h://" + socks, "http://127.0.0.1:" + other.port() + "/s5").exit())
                .isEqualTo(97);
        assertThat(Curl.run("-x", "socks4://" + socks, "http://127.0.0.1:" + other.port() + "/s4").exit())
                .isEqualTo(97);
        assertThat(other.requests.get()).isEqualTo(before);
    }

    @Test
    void noEarlyErrorReplyClosesOnAClientWithoutCredentials() throws Exception {
        int before = allowed.requests.get();
        try (RawClient client = new RawClient(proxy.port("hidden"))) {
            client.send("GET http://127.0.0.1:" + allowed.port() + "/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            assertThat(client.readUntilClosed()).isEmpty();
        }
        assertThat(Curl.run("-x", "http://alice:toor@127.0.0.1:" + proxy.port("hidden"),
                "http://127.0.0.1:" + allowed.port() + "/known").out()).isEqualTo("hello /known\n");
        assertThat(allowed.requests.get()).isEqualTo(before + 1);
    }

    @Test
    void theReverseProxysChallengeNamesItsAuthRealm() throws Exception {
        var r = Curl.run("-s", "-i", "http://127.0.0.1:" + proxy.port("site") + "/");
        assertThat(r.out()).startsWith("HTTP/1.1 401").contains("www-authenticate: Basic realm=\"our site\"");
    }

    @Test
    void chunkSizeLinesUpToBodyLineMaxLengthPass() throws Exception {
        String url = "http://127.0.0.1:" + longChunkLines.getLocalPort() + "/";
        // g3proxy's default, 8192, takes the 4 KiB line (g3k's limit was 4096 before)
        assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), url).out()).isEqualTo("hello");
        var cut = Curl.run("-x", "http://127.0.0.1:" + proxy.port("short-lines"), url);
        assertThat(cut.out()).isNotEqualTo("hello");
        assertThat(cut.exit()).isNotZero();
    }
}
