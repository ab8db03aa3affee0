package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.g3k.config.ConfigException;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS interception with curl: the client trusts only the auditor's CA and still reaches an HTTPS origin whose
 * certificate the proxy verified; tunnels outside the audit ratio, plain protocols and server-first protocols
 * pass untouched; an unverifiable target never gets a forged certificate.
 */
class TlsInterceptionTest {
    @TempDir
    static Path dir;
    static TestPki originPki;
    static TestPki auditPki;
    static TestOrigin tlsOrigin;
    static TestOrigin plainOrigin;
    static RunningProxy proxy;
    static int dumpPort;

    @BeforeAll
    static void start() throws Exception {
        originPki = new TestPki(Files.createDirectories(dir.resolve("origin")), "g3k origin CA");
        auditPki = new TestPki(Files.createDirectories(dir.resolve("audit")), "g3k interception CA");
        tlsOrigin = TestOrigin.https(originPki);
        plainOrigin = TestOrigin.http();
        String generator = """
                    tls_cert_generator:
                      ca_certificate: %s
                      ca_private_key: %s
                """.formatted(auditPki.caPem, auditPki.caKeyPem);
        dumpPort = io.g3k.dataplane.support.PeerProcess.freePort();
        proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                auditor:
                  - name: intercept
                %s    tls_interception_client:
                      ca_certificate: %s
                  - name: sampled-out
                %s    task_audit_ratio: 0
                  - name: strict
                %s
                  - name: dumped
                %s    tls_interception_client:
                      ca_certificate: %s
                    tls_stream_dump: {peer: "127.0.0.1:%d"}
                  - name: no-h2
                %s    tls_interception_client:
                      ca_certificate: %s
                    h2_inspect_policy: {default: intercept, exact_match: {block: localhost}}
                server:
                  - {name: http, type: http_proxy, escaper: default, auditor: intercept, listen: "127.0.0.1:0"}
                  - {name: socks, type: socks_proxy, escaper: default, auditor: intercept, listen: "127.0.0.1:0"}
                  - {name: unsampled, type: http_proxy, escaper: default, auditor: sampled-out, listen: "127.0.0.1:0"}
                  - {name: strict, type: http_proxy, escaper: default, auditor: strict, listen: "127.0.0.1:0"}
                  - {name: dumped, type: http_proxy, escaper: default, auditor: dumped, listen: "127.0.0.1:0"}
                  - {name: no-h2, type: http_proxy, escaper: default, auditor: no-h2, listen: "127.0.0.1:0"}
                  - {name: users, type: http_proxy, escaper: default, auditor: intercept, user_group: users,
                     listen: "127.0.0.1:0"}
                user_group:
                  - name: users
                    static_users:
                      - {name: audited, token: null, audit: {enable_protocol_inspection: true}}
                      - {name: private, token: null}
                      - {name: unsampled, token: null, audit: {enable_protocol_inspection: true, task_audit_ratio: 0}}
                """.formatted(generator, originPki.caPem, generator, generator, generator, originPki.caPem, dumpPort,
                generator, originPki.caPem));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        tlsOrigin.close();
        plainOrigin.close();
    }

    String origin(String path) {
        return "https://localhost:" + tlsOrigin.port() + path;
    }

    @Test
    void clientSeesACertificateSignedByTheAuditorsCa() throws Exception {
        var result = Curl.run("-v", "-x", "http://127.0.0.1:" + proxy.port("http"), "--cacert",
                auditPki.caPem.toString(), origin("/intercepted"));
        assertThat(result.out()).as(result.err()).isEqualTo("hello /intercepted\n");
        assertThat(result.err()).contains("subject: CN=localhost").contains("issuer: CN=g3k interception CA");

        var originTrustOnly = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), "--cacert",
                originPki.caPem.toString(), origin("/not-trusted"));
        assertThat(originTrustOnly.exit()).as("a client trusting only the origin's CA must reject the forged chain")
                .isEqualTo(60);
    }

    /**
     * A user's tunnels are inspected only with its {@code audit.enable_protocol_inspection}, as in g3proxy, and then
     * sampled by its own {@code task_audit_ratio}: the others see the origin's own certificate through the same server.
     */
    @Test
    void onlyUsersWhoseAuditAsksForItAreIntercepted() throws Exception {
        String via = "http://127.0.0.1:" + proxy.port("users");
        var audited = Curl.run("-v", "-x", via, "-U", "audited:x", "--cacert", auditPki.caPem.toString(),
                origin("/audited"));
        assertThat(audited.out()).as(audited.err()).isEqualTo("hello /audited\n");
        assertThat(audited.err()).contains("issuer: CN=g3k interception CA");
        for (String user : List.of("private", "unsampled")) {
            var untouched = Curl.run("-v", "-x", via, "-U", user + ":x", "--cacert", originPki.caPem.toString(),
                    origin("/" + user));
            assertThat(untouched.out()).as(untouched.err()).isEqualTo("hello /" + user + "\n");
            assertThat(untouched.err()).contains("issuer: CN=g3k origin CA");
        }
    }

    /**
     * The forged side offers what every g3k TLS server does: over TLS 1.2 a client offering only CBC or static-RSA
     * suites gets no handshake, one offering ECDHE with an AEAD cipher gets through.
     */
    @Test
    void theForgedSideOffersOnlyEcdheWithAeadCiphers() throws Exception {
        String via = "http://127.0.0.1:" + proxy.port("http");
        var old = Curl.run("-s", "-x", via, "--cacert", auditPki.caPem.toString(), "--tls-max", "1.2", "--ciphers",
                "ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:AES128-SHA:AES256-SHA:AES128-GCM-SHA256", origin("/cbc"));
        assertThat(old.exit()).as(old.err()).isEqualTo(35); // curl: SSL connect error
        var modern = Curl.run("-s", "-x", via, "--cacert", auditPki.caPem.toString(), "--tls-max", "1.2", "--ciphers",
                "ECDHE-ECDSA-CHACHA20-POLY1305", origin("/chacha"));
        assertThat(modern.out()).as(modern.err()).isEqualTo("hello /chacha\n");
    }

    /** h2_inspect_policy block: a decrypted HTTP/2 connection to the target is closed; HTTP/1.1 to it goes on. */
    @Test
    void http2ToABlockedTargetIsRefused() throws Exception {
        String via = "http://127.0.0.1:" + proxy.port("no-h2");
        var h2 = Curl.run("-s", "--http2", "-x", via, "--cacert", auditPki.caPem.toString(), origin("/h2-blocked"));
        assertThat(h2.exit()).as(h2.err()).isNotZero();
        assertThat(h2.out()).isEmpty();
        var h1 = Curl.run("-s", "--http1.1", "-x", via, "--cacert", auditPki.caPem.toString(), origin("/h1-allowed"));
        assertThat(h1.out()).as(h1.err()).isEqualTo("hello /h1-allowed\n");
    }

    /** An HTTP/2 client gets h2 from the proxy; each stream is forwarded to the HTTP/1.1-only origin on its own. */
    @Test
    void http2ClientsAreInterceptedStreamByStream() throws Exception {
        var result = Curl.run("-s", "-v", "--http2", "-x", "http://127.0.0.1:" + proxy.port("http"), "--cacert",
                auditPki.caPem.toString(), origin("/h2-first"), origin("/h2-second"));
        assertThat(result.out()).as(result.err()).isEqualTo("hello /h2-first\nhello /h2-second\n");
        assertThat(result.err()).contains("ALPN: server accepted h2").contains("< HTTP/2 200")
                .contains("issuer: CN=g3k interception CA");
        var posted = Curl.run("-s", "--http2", "-x", "http://127.0.0.1:" + proxy.port("http"), "--cacert",
                auditPki.caPem.toString(), "--data-binary", "x".repeat(100_000), origin("/echo"));
        assertThat(posted.out()).as(posted.err()).hasSize(100_000);
        await().until(() -> proxy.aliveTasks() == 0);
    }

    @Test
    void socksTunnelsAreInterceptedToo() throws Exception {
        var result = Curl.run("-v", "-x", "socks5h://127.0.0.1:" + proxy.port("socks"), "--cacert",
                auditPki.caPem.toString(), origin("/over-socks"));
        assertThat(result.out()).as(result.err()).isEqualTo("hello /over-socks\n");
        assertThat(result.err()).contains("issuer: CN=g3k interception CA");
    }

    @Test
    void tunnelsOutsideTheAuditRatioKeepTheOriginsCertificate() throws Exception {
        var result = Curl.run("-v", "-x", "http://127.0.0.1:" + proxy.port("unsampled"), "--cacert",
                originPki.caPem.toString(), origin("/untouched"));
        assertThat(result.out()).as(result.err()).isEqualTo("hello /untouched\n");
        assertThat(result.err()).contains("issuer: CN=g3k origin CA");
    }

    @Test
    void aTargetTheProxyCannotVerifyGetsNoForgedCertificate() throws Exception {
        int before = tlsOrigin.requests.get();
        var result = Curl.run("-x", "http://127.0.0.1:" + proxy.port("strict"), "--cacert",
                auditPki.caPem.toString(), origin("/unverified"));
        assertThat(result.exit()).as(result.err()).isNotZero();
        assertThat(tlsOrigin.requests.get()).isEqualTo(before);
        await().until(() -> proxy.aliveTasks() == 0);
    }

    @Test
    void plainHttpInsideATunnelPassesThrough() throws Exception {
        var result = Curl.run("-p", "-x", "http://127.0.0.1:" + proxy.port("http"),
                "http://127.0.0.1:" + plainOrigin.port() + "/plain");
        assertThat(result.out()).as(result.err()).isEqualTo("hello /plain\n");
    }

    @Test
    void aServerThatSpeaksFirstIsRelayed() throws Exception {
        try (ServerSocket banner = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = banner.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("220 g3k test smtp\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    s.getInputStream().read();
                } catch (Exception ignored) {
                    // the test fails on its own side
                }
            });
            try (RawClient client = new RawClient(proxy.port("http"))) {
                client.send("CONNECT 127.0.0.1:" + banner.getLocalPort() + " HTTP/1.1\r\nHost: x\r\n\r\n");
                String received = readUntil(client, "220 g3k test smtp\r\n");
                assertThat(received).startsWith("HTTP/1.1 200").endsWith("\r\n\r\n220 g3k test smtp\r\n");
            }
        }
    }

    /**
     * tls_stream_dump: Wireshark's own udpdump collects the copies, and tshark dissects the decrypted HTTP in them
     * with the upstream connection's addresses.
     */
    @Test
    void decryptedStreamsAreExportedForWiresharksUdpdump() throws Exception {
        Path pcap = dir.resolve("dump.pcap");
        Process udpdump = new ProcessBuilder("/usr/lib/x86_64-linux-gnu/wireshark/extcap/udpdump",
                "--extcap-interface=udpdump", "--port", String.valueOf(dumpPort), "--payload", "exported_pdu",
                "--fifo", pcap.toString(), "--capture").redirectErrorStream(true)
                .redirectOutput(dir.resolve("udpdump.log").toFile()).start();
        try {
            await().until(() -> Files.exists(pcap) && Files.size(pcap) > 0);
            var result = Curl.run("--http1.1", "-x", "http://127.0.0.1:" + proxy.port("dumped"), "--cacert",
                    auditPki.caPem.toString(), "-H", "X-Audit: exported", origin("/dumped"));
            assertThat(result.out()).as(result.err()).isEqualTo("hello /dumped\n");
            await().until(() -> Files.size(pcap) > 400);
        } finally {
            udpdump.destroy();
            udpdump.waitFor();
        }
        var tshark = new ProcessBuilder("tshark", "-r", pcap.toString(), "-Y", "http", "-T", "fields",
                "-e", "http.request.uri", "-e", "http.request.line", "-e", "http.response.code", "-e", "tcp.dstport",
                "-e", "exported_pdu.dst_port").redirectErrorStream(false).start();
        String fields = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        tshark.waitFor();
        assertThat(fields).contains("/dumped").contains("X-Audit: exported").contains("200")
                .contains(String.valueOf(tlsOrigin.port()));
    }

    private static String readUntil(RawClient client, String end) throws Exception {
        StringBuilder out = new StringBuilder();
        var in = client.socket().getInputStream();
        while (!out.toString().endsWith(end)) {
            int b = in.read();
            assertThat(b).as("connection closed after: " + out).isNotNegative();
            out.append((char) b);
        }
        return out.toString();
    }

    @Test
    void aCertificateThatIsNotACaIsRejectedAtLoad() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        assertThatThrownBy(() -> RunningProxy.start(bad, Yaml.RESOLVER_AND_ESCAPER + """
                auditor:
                  - name: broken
                    tls_cert_generator:
                      ca_certificate: %s
                      ca_private_key: %s
                """.formatted(originPki.serverCertPem, originPki.serverKeyPem)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auditor 'broken'").hasMessageContaining("is not a CA certificate");
    }

    @Test
    void aCaKeyThatDoesNotMatchItsCertificateIsRejectedAtLoad() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("mismatch"));
        assertThatThrownBy(() -> RunningProxy.start(bad, Yaml.RESOLVER_AND_ESCAPER + """
                auditor:
                  - name: mismatched
                    tls_cert_generator:
                      ca_certificate: %s
                      ca_private_key: %s
                """.formatted(auditPki.caPem, originPki.caKeyPem)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("is not the private key of " + auditPki.caPem);
    }
}
