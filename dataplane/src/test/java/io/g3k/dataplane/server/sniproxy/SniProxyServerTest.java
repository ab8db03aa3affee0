package io.g3k.dataplane.server.sniproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * sni_proxy: the origin listens on 127.0.0.1:P and the proxy on 127.0.0.2:P (all of 127/8 is loopback), so
 * "same port as the client connected to" reaches the origin.
 */
class SniProxyServerTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestOrigin tlsOrigin;
    static TestOrigin httpOrigin;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        tlsOrigin = TestOrigin.https(pki);
        httpOrigin = TestOrigin.http();
        proxy = RunningProxy.start(dir, Yaml.withServers("""
                  - name: sni
                    escaper: default
                    type: sni_proxy
                    listen: "127.0.0.2:%d"
                    request_wait_timeout: 3s
                    request_recv_timeout: 1s
                """.formatted(tlsOrigin.port())));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        tlsOrigin.close();
        httpOrigin.close();
    }

    @Test
    void routesTlsBySni() throws Exception {
        int port = tlsOrigin.port();
        var r = Curl.run("--cacert", pki.caPem.toString(), "--resolve", "localhost:" + port + ":127.0.0.2",
                "https://localhost:" + port + "/by-sni");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /by-sni\n");
    }

    /** allowed_hosts: a listed name is served at its redirect (any port), an unlisted one is closed unconnected. */
    @Test
    void allowedHostsRedirectAndRefuse() throws Exception {
        try (RunningProxy guarded = RunningProxy.start(java.nio.file.Files.createDirectories(dir.resolve("allowed")),
                io.g3k.dataplane.support.Yaml.withServers("""
                  - name: sni
                    escaper: default
                    type: sni_proxy
                    listen: "127.0.0.1:0"
                    allowed_hosts:
                      - exact_match: localhost
                        redirect_host: 127.0.0.1
                        redirect_port: %d
                      - {child_match: example.test, redirect_host: 127.0.0.1, redirect_port: %d}
                """.formatted(tlsOrigin.port(), httpOrigin.port())))) {
            int port = guarded.port("sni");
            var tls = Curl.run("--cacert", pki.caPem.toString(), "--resolve", "localhost:" + port + ":127.0.0.1",
                    "https://localhost:" + port + "/redirected");
            assertThat(tls.out()).as(tls.err()).isEqualTo("hello /redirected\n");
            var http = Curl.run("-H", "Host: www.example.test", "http://127.0.0.1:" + port + "/child");
            assertThat(http.out()).as(http.err()).isEqualTo("hello /child\n");
            int before = httpOrigin.requests.get();
            var refused = Curl.run("-H", "Host: example.test", "http://127.0.0.1:" + port + "/parent-not-child");
            assertThat(refused.exit()).isNotZero();
            assertThat(httpOrigin.requests.get()).isEqualTo(before);
        }
    }

    @Test
    void routesHttpByHost() throws Exception {
        var r = Curl.run("-H", "Host: localhost:" + httpOrigin.port(), "http://127.0.0.2:" + tlsOrigin.port() + "/by-host");
        assertThat(r.out()).as(r.err()).isEqualTo("hello /by-host\n");
    }

    @Test
    void refusesIpLiteralNulEmptyAndMissingServerNames() throws Exception {
        int before = tlsOrigin.requests.get();
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.2:" + tlsOrigin.port(),
                "-servername", "127.0.0.1").redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        assertThat(out).doesNotContain("BEGIN CERTIFICATE");
        // a NUL inside, an empty host_name (found by the fuzzer), none at all
        for (byte[] name : new byte[][] {"allowed.test\0.evil".getBytes(StandardCharsets.ISO_8859_1), new byte[0], null}) {
            try (RawClient c = new RawClient("127.0.0.2", proxy.port("sni"))) {
                assertThat(c.send(clientHello(name)).readUntilClosed()).isEmpty();
            }
        }
        try (RawClient twoHosts = new RawClient("127.0.0.2", proxy.port("sni"))) {
            assertThat(twoHosts.send("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").readUntilClosed()).isEmpty();
        }
        try (RawClient truncated = new RawClient("127.0.0.2", proxy.port("sni"))) {
            assertThat(truncated.send(new byte[] {0x16, 3, 1, 0x10, 0}).readUntilClosed()).isEmpty();
        }
        assertThat(tlsOrigin.requests.get()).isEqualTo(before);
    }

    /** Silence is cut at request_wait_timeout (3 s); once a byte came, the rest must follow within 1 s. */
    @Test
    void waitsLongerForAFirstByteThanForTheRestOfTheHello() throws Exception {
        try (RawClient silent = new RawClient("127.0.0.2", proxy.port("sni"));
             RawClient started = new RawClient("127.0.0.2", proxy.port("sni"))) {
            long t0 = System.nanoTime();
            started.send(new byte[] {0x16, 3, 1});
            assertThat(started.readUntilClosed()).isEmpty();
            long startedClosed = System.nanoTime() - t0;
            assertThat(silent.readUntilClosed()).isEmpty();
            long silentClosed = System.nanoTime() - t0;
            assertThat(Duration.ofNanos(startedClosed)).isBetween(Duration.ofMillis(700),
                    Duration.ofMillis(2500));
            assertThat(Duration.ofNanos(silentClosed)).isBetween(Duration.ofMillis(2700),
                    Duration.ofMillis(6000));
        }
    }

    /** A minimal TLS 1.2 ClientHello with the given SNI (none when null). */
    static byte[] clientHello(byte[] sni) {
        ByteArrayOutputStream ext = new ByteArrayOutputStream();
        if (sni != null) {
            ByteBuffer e = ByteBuffer.allocate(9 + sni.length);
            e.putShort((short) 0).putShort((short) (5 + sni.length)).putShort((short) (3 + sni.length))
                    .put((byte) 0).putShort((short) sni.length).put(sni);
            ext.writeBytes(e.array());
        }
        byte[] extensions = ext.toByteArray();
        ByteBuffer body = ByteBuffer.allocate(2 + 32 + 1 + 4 + 2 + 2 + extensions.length);
        body.putShort((short) 0x0303).put(new byte[32]).put((byte) 0).putShort((short) 2).putShort((short) 0x002f)
                .put((byte) 1).put((byte) 0).putShort((short) extensions.length).put(extensions);
        byte[] b = body.array();
        ByteBuffer record = ByteBuffer.allocate(9 + b.length);
        record.put((byte) 0x16).putShort((short) 0x0301).putShort((short) (4 + b.length))
                .put((byte) 1).put((byte) 0).putShort((short) b.length).put(b);
        return record.array();
    }
}
