package io.g3k.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.g3k.config.ConfigException;
import io.g3k.dataplane.support.Flood;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.SocketTable;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code tls_server} keys seen by {@code openssl s_client}: session resumption by ticket (TLS 1.3) and by session id
 * (TLS 1.2 without tickets) unless turned off, and certificates given inline or as top-level keys. Its timeouts, timed
 * off the loops ({@link TlsTimeouts}), seen from raw sockets: a client that never finishes its handshake is closed
 * after {@code handshake_timeout} and counted as the listener's {@code listen.timeout}, with one certificate and with
 * certificates chosen by SNI (before and after the ClientHello); a closing connection whose client reads nothing more
 * (idle, so ended) does not keep its socket beyond the close_notify's flush timeout.
 */
class TlsServerSettingsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestOrigin origin;
    static ServerSocket flooding;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        origin = TestOrigin.http();
        flooding = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        String pair = "cert_pairs:\n  certificate: " + pki.serverCertPem + "\n  private_key: " + pki.serverKeyPem;
        // an RSA pair too (TestPki's are EC): with RSA, Netty's own defaults would also offer static RSA key exchange
        Path rsaCert = dir.resolve("rsa.pem");
        Path rsaKey = dir.resolve("rsa.key");
        Process openssl = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", "/CN=localhost", "-keyout", rsaKey.toString(), "-out", rsaCert.toString())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(openssl.waitFor(30, TimeUnit.SECONDS) && openssl.exitValue() == 0).isTrue();
        String inline = "certificate: |\n" + Files.readString(pki.serverCertPem).indent(2)
                + "private_key: |\n" + Files.readString(pki.serverKeyPem).indent(2);
        proxy = RunningProxy.start(dir, Yaml.withServers(
                tlsStream("default", pair)
                + tlsStream("no_ticket", pair + "\nno_session_ticket: true")
                + tlsStream("no_cache", pair + "\nno_session_cache: true\nsession_id_context: g3k-test")
                + tlsStream("inline", inline)
                + tlsStream("mtls_system", pair + "\nenable_client_auth: true")
                + tlsStream("timeouts", flooding.getLocalPort(), pair + "\nhandshake_timeout: 1s",
                        "task_idle_check_interval: 2s\ntask_idle_max_count: 1")
                + tlsStream("rsa", "cert_pairs: " + pairOf(rsaCert, rsaKey))
                + tlsStream("rsa_by_sni", "cert_pairs:\n  - " + pairOf(rsaCert, rsaKey) + "\n  - "
                        + pairOf(pki.serverCertPem, pki.serverKeyPem))
                + tlsStream("by_sni", origin.port(), "cert_pairs:\n  - " + pairOf(pki.serverCertPem, pki.serverKeyPem)
                        + "\n  - " + pairOf(pki.clientCertPem, pki.clientKeyPem) + "\nhandshake_timeout: 1s", "")));
    }

    private static String pairOf(Path certificate, Path key) {
        return "{certificate: " + certificate + ", private_key: " + key + "}";
    }

    private static String tlsStream(String name, String tls) {
        return tlsStream(name, origin.port(), tls, "");
    }

    private static String tlsStream(String name, int upstream, String tls, String serverKeys) {
        return """
                  - name: %s
                    escaper: default
                    type: tls_stream
                    listen: "127.0.0.1:0"
                    proxy_pass: "127.0.0.1:%d"
                    tls_server:
                %s
                %s
                """.formatted(name, upstream, tls.indent(6).stripTrailing(), serverKeys.indent(4).stripTrailing());
    }

    @AfterAll
    static void stop() throws IOException {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
        }
        if (flooding != null) {
            flooding.close();
        }
    }

    @Test
    void resumesByTicketAndBySessionIdByDefault() throws Exception {
        assertThat(twice("default")).isEqualTo(List.of("New", "Reused"));
        assertThat(twice("default", "-tls1_2", "-no_ticket")).isEqualTo(List.of("New", "Reused"));
    }

    @Test
    void noSessionTicketIssuesNone() throws Exception {
        assertThat(twice("no_ticket")).isEqualTo(List.of("New", "none"));
        // the session-id cache still resumes TLS 1.2
        assertThat(twice("no_ticket", "-tls1_2", "-no_ticket")).isEqualTo(List.of("New", "Reused"));
    }

    @Test
    void noSessionCacheKeepsNoSessionIds() throws Exception {
        assertThat(twice("no_cache", "-tls1_2", "-no_ticket")).isEqualTo(List.of("New", "none"));
    }

    @Test
    void inlinePemCertificateAndKeyServe() throws Exception {
        assertThat(twice("inline")).first().isEqualTo("New");
    }

    @Test
    void clientAuthWithoutACaTrustsOnlyTheSystemStore() throws Exception {
        int before = origin.requests.get();
        Process p = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + proxy.port("mtls_system"),
                "-CAfile", pki.caPem.toString(), "-cert", pki.clientCertPem.toString(), "-key",
                pki.clientKeyPem.toString(), "-ign_eof").redirectErrorStream(true).start();
        p.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(text).as(text).containsIgnoringCase("alert").doesNotContain("HTTP/1.");
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    /**
     * sslscan, a real scanner, against listeners with one certificate (EC, RSA) and choosing by SNI: what g3proxy's rustls
     * offers and nothing older, TLS 1.2 and 1.3, ECDHE key exchange and AEAD ciphers only (no static RSA, no CBC), no
     * renegotiation, not open to Heartbleed.
     */
    @ParameterizedTest
    @ValueSource(strings = {"default", "rsa", "rsa_by_sni"})
    void aScanFindsOnlyModernProtocolsAndCiphers(String server) throws Exception {
        Process p = new ProcessBuilder("sslscan", "--no-colour", "127.0.0.1:" + proxy.port(server))
                .redirectErrorStream(true).start();
        String scan = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        for (String old : List.of("SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1")) {
            assertThat(scan).as(scan).containsPattern("\\n" + Pattern.quote(old) + "\\s+disabled\\n");
        }
        assertThat(scan).containsPattern("\\nTLSv1\\.2\\s+enabled\\n").containsPattern("\\nTLSv1\\.3\\s+enabled\\n")
                .contains("Session renegotiation not supported")
                .contains("TLSv1.2 not vulnerable to heartbleed").contains("TLSv1.3 not vulnerable to heartbleed");
        var accepted = Pattern.compile("(?m)^(?:Preferred|Accepted)\\s+(TLSv1\\.[0-3])\\s+\\d+ bits\\s+(\\S+)").matcher(scan)
                .results().map(m -> m.group(1) + " " + m.group(2)).toList();
        assertThat(accepted).as(scan).contains("TLSv1.3 TLS_AES_128_GCM_SHA256").anyMatch(c -> c.startsWith("TLSv1.2 "))
                .allMatch(c -> c.matches("TLSv1\\.3 TLS_\\S+|TLSv1\\.2 ECDHE-(RSA|ECDSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)"));
    }

    @Test
    void aMissingKeyIsRefusedAtLoad() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        assertThatThrownBy(() -> RunningProxy.start(bad, Yaml.withServers(tlsStream("bad",
                "certificate: " + pki.serverCertPem))))
                .isInstanceOf(ConfigException.class).hasMessageContaining("'bad' key 'tls_server'")
                .hasMessageContaining("'certificate' and 'private_key' must be given together");
    }

    /** Two s_client handshakes, the second offering the first's session: "New" or "Reused", or "none" to offer. */
    private static List<String> twice(String server, String... options) throws Exception {
        Path session = Files.createTempFile(dir, "session", ".pem");
        Files.delete(session);
        List<String> out = new ArrayList<>();
        out.add(handshake(server, List.of("-sess_out", session.toString()), options));
        // s_client saves no session the server made unresumable (no ticket, an empty session id)
        out.add(Files.exists(session) ? handshake(server, List.of("-sess_in", session.toString()), options) : "none");
        return out;
    }

    private static String handshake(String server, List<String> sessionArgs, String... options) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect",
                "127.0.0.1:" + proxy.port(server), "-CAfile", pki.caPem.toString(), "-verify_return_error", "-ign_eof"));
        command.addAll(sessionArgs);
        command.addAll(List.of(options));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        // TLS 1.3 tickets come after the handshake: send a request and read until the origin closes
        p.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
        p.getOutputStream().close();
        String text = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(text).as(text).contains("Verify return code: 0 (ok)");
        return text.contains("\nReused, ") ? "Reused" : text.contains("\nNew, ") ? "New" : "neither: " + text;
    }

    /** How long until the proxy closes a client that sent {@code first} and then nothing; what it sent meanwhile. */
    private static Duration closedAfter(String server, byte[] first) throws IOException {
        try (RawClient client = new RawClient(proxy.port(server))) {
            long start = System.nanoTime();
            client.send(first);
            client.readUntilClosed();
            return Duration.ofNanos(System.nanoTime() - start);
        }
    }

    private static double listenTimeouts(String server) {
        var m = Pattern.compile("g3proxy_listen_timeout_total\\{[^}]*server=\"" + server + "\"[^}]*} (\\S+)")
                .matcher(proxy.metrics());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    /** A TLS 1.3 ClientHello for {@code localhost}, as the first record a client sends. */
    private static byte[] clientHello() throws Exception {
        SSLEngine engine = SSLContext.getDefault().createSSLEngine("localhost", 443);
        engine.setUseClientMode(true);
        ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.beginHandshake();
        engine.wrap(ByteBuffer.allocate(0), out);
        return Arrays.copyOf(out.array(), out.position());
    }

    @Test
    void aClientThatSaysNothingIsClosedAtTheHandshakeTimeout() throws Exception {
        double before = listenTimeouts("timeouts");
        assertThat(closedAfter("timeouts", new byte[0])).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(2)).until(() -> listenTimeouts("timeouts") == before + 1);
    }

    @Test
    void aHandshakeStalledAfterTheClientHelloIsClosedAtTheHandshakeTimeout() throws Exception {
        double before = listenTimeouts("timeouts");
        assertThat(closedAfter("timeouts", clientHello())).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(2)).until(() -> listenTimeouts("timeouts") == before + 1);
    }

    @Test
    void bySniTheClientHelloAndTheHandshakeShareOneTimeout() throws Exception {
        assertThat(closedAfter("by_sni", new byte[0])).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
        double before = listenTimeouts("by_sni");
        assertThat(closedAfter("by_sni", clientHello())).isBetween(Duration.ofMillis(900), Duration.ofSeconds(3));
        await().atMost(Duration.ofSeconds(2)).until(() -> listenTimeouts("by_sni") == before + 1);
    }

    @Test
    void aClientThatStopsReadingDoesNotHoldItsSocketPastTheCloseNotifyFlush() throws Exception {
        // the origin floods the tunnel, the client reads none of it: with every buffer on the way full, the tunnel is
        // idle, the proxy ends it and closes the client, whose close_notify can never be flushed
        CompletableFuture<Void> origin = CompletableFuture.runAsync(() -> {
            try (Socket s = flooding.accept()) {
                Flood.write(s.getOutputStream(), Long.MAX_VALUE);
            } catch (IOException closedByTheProxy) {
                // the end of the test
            }
        });
        SSLContext trusting = pki.clientContext();
        try (Socket tcp = new Socket()) {
            tcp.setReceiveBufferSize(4096);
            tcp.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), proxy.port("timeouts")));
            SSLSocket tls = (SSLSocket) trusting.getSocketFactory().createSocket(tcp, "localhost", proxy.port("timeouts"), true);
            tls.startHandshake();
            tls.getOutputStream().write("go".getBytes());
            tls.getOutputStream().flush();
            int clientPort = tcp.getLocalPort();
            Thread.sleep(1_000);
            assertThat(SocketTable.held(proxy.port("timeouts"), clientPort)).as("the proxy's end, before its close").isTrue();
            // idle after 2-4 s (task_idle_check_interval 2s, task_idle_max_count 1), then 3 s for the close_notify
            await().atMost(Duration.ofSeconds(12)).until(() -> !SocketTable.held(proxy.port("timeouts"), clientPort));
            assertThat(origin).succeedsWithin(Duration.ofSeconds(5));
        }
    }
}
