package io.g3k.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.config.ConfigException;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.Yaml;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls_client} keys, each seen from the other end: {@code openssl s_server -www -trace} is the TLS upstream
 * of a {@code tcp_stream}; its page says the version, cipher, the client's groups and whether the session was
 * resumed, and its trace lists the ClientHello's extensions (SNI, OCSP status request).
 */
class TlsClientSettingsTest {
    @TempDir
    static Path dir;
    static Process upstream;
    static Path trace;
    static Path cert;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        // a dotted name: BoringSSL sends no SNI for a single label such as localhost
        cert = dir.resolve("upstream.pem");
        Path key = dir.resolve("upstream.key");
        run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                key.toString(), "-out", cert.toString(), "-subj", "/CN=upstream.test", "-addext",
                "subjectAltName=DNS:upstream.test", "-days", "2");
        int port = PeerProcess.freePort();
        trace = dir.resolve("s_server.log");
        upstream = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert", cert.toString(),
                "-key", key.toString(), "-www", "-trace").redirectErrorStream(true).redirectOutput(trace.toFile()).start();
        awaitListening(port);
        String inlineCa = Files.readString(cert).indent(10);
        proxy = RunningProxy.start(dir, Yaml.withServers(
                stream("default", port, "ca_certificate: " + cert)
                + stream("no_sni", port, "ca_certificate: " + cert + "\n      disable_sni: true")
                + stream("no_sni_other_name", port, "other.test", "ca_certificate: " + cert + "\n      disable_sni: true")
                + stream("tls12", port, "ca_certificate: " + cert + "\n      max_tls_version: 1.2\n"
                        + "      ciphers: ECDHE-ECDSA-AES128-GCM-SHA256")
                + stream("groups", port, "ca_certificate: " + cert + "\n      supported_groups: P-384")
                + stream("no_cache", port, "ca_certificate: " + cert + "\n      no_session_cache: true")
                + stream("ocsp", port, "ca_certificate: " + cert + "\n      use_ocsp_stapling: true")
                + stream("inline_ca", port, "ca_certificate: |\n" + inlineCa)
                + stream("system_ca", port, "{}")
                + stream("insecure", port, "insecure: true")));
    }

    private static String stream(String name, int port, String tls) {
        return stream(name, port, "upstream.test", tls);
    }

    private static String stream(String name, int port, String tlsName, String tls) {
        return """
                  - name: %s
                    escaper: default
                    type: tcp_stream
                    listen: "127.0.0.1:0"
                    proxy_pass: "127.0.0.1:%d"
                    upstream_tls_name: %s
                    tls_client:
                      %s
                """.formatted(name, port, tlsName, tls.strip());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (upstream != null) {
            upstream.destroyForcibly();
        }
    }

    @Test
    void sendsSniAndResumesSessionsByDefault() throws Exception {
        Seen first = fetch("default");
        assertThat(first.page()).contains("New, TLSv1.3");
        assertThat(first.trace()).contains("extension_type=server_name");
        assertThat(first.trace()).doesNotContain("extension_type=status_request");
        assertThat(fetch("default").page()).contains("Reused, TLSv1.3");
    }

    @Test
    void disableSniLeavesTheNameOutButStillVerifiesIt() throws Exception {
        Seen seen = fetch("no_sni");
        assertThat(seen.page()).contains("Protocol  : TLSv1.3");
        assertThat(seen.trace()).contains("ClientHello").doesNotContain("extension_type=server_name");
        assertThat(fetch("no_sni_other_name").page()).isEmpty();
    }

    @Test
    void versionsAndCiphersAreTheConfiguredOnes() throws Exception {
        String page = fetch("tls12").page();
        assertThat(page).contains("Protocol  : TLSv1.2").contains("Cipher    : ECDHE-ECDSA-AES128-GCM-SHA256");
    }

    @Test
    void supportedGroupsAreTheOnlyOnesOffered() throws Exception {
        assertThat(fetch("groups").page()).contains("Supported groups: secp384r1\n");
    }

    @Test
    void noSessionCacheNeverResumes() throws Exception {
        assertThat(fetch("no_cache").page()).contains("New, TLSv1.3");
        assertThat(fetch("no_cache").page()).contains("New, TLSv1.3");
    }

    @Test
    void ocspStaplingAsksForTheStatus() throws Exception {
        assertThat(fetch("ocsp").trace()).contains("extension_type=status_request");
    }

    @Test
    void aCaGivenAsInlinePemIsTrusted() throws Exception {
        assertThat(fetch("inline_ca").page()).contains("Protocol  : TLSv1.3");
    }

    @Test
    void anUntrustedUpstreamIsRefusedUnlessInsecure() throws Exception {
        var refused = Curl.run("-s", "http://127.0.0.1:" + proxy.port("system_ca") + "/");
        assertThat(refused.out()).isEmpty();
        assertThat(fetch("insecure").page()).contains("Protocol  : TLSv1.3");
    }

    @Test
    void badSettingsAreRefusedAtLoadNamingTheKey() throws Exception {
        for (List<String> bad : List.of(
                List.of("ciphers: NOT-A-CIPHER", "failed to set cipher suite: [NOT-A-CIPHER]"),
                // OpenSSL would drop an unknown name next to a known one; the error says which
                List.of("ciphers: [ECDHE-ECDSA-AES128-GCM-SHA256, NOPE]", "NOPE"),
                List.of("supported_groups: not-a-group", "groups"),
                List.of("ca_certificate: " + dir.resolve("missing.pem"), "missing.pem"),
                List.of("ca_certificate: \"-----BEGIN CERTIFICATE-----\\nbroken\\n\"", "not a PEM certificate"))) {
            Path badDir = Files.createTempDirectory(dir, "bad");
            assertThatThrownBy(() -> RunningProxy.start(badDir, Yaml.withServers(stream("bad", 9, bad.get(0)))))
                    .as(bad.get(0)).isInstanceOf(ConfigException.class)
                    .hasMessageContaining("server 'bad'").hasMessageContaining("tls_client")
                    .hasMessageContaining(bad.get(1));
        }
    }

    private record Seen(String page, String trace) {}

    /** One request through the named server: s_server's page, and what its trace logged meanwhile. */
    private static Seen fetch(String server) throws Exception {
        synchronized (TlsClientSettingsTest.class) {
            long before = Files.size(trace);
            var r = Curl.run("-s", "http://127.0.0.1:" + proxy.port(server) + "/");
            Thread.sleep(100); // s_server writes its trace as it goes; the page comes last
            String log = Files.readString(trace);
            return new Seen(r.out(), log.substring((int) Math.min(before, log.length())));
        }
    }

    private static void awaitListening(int port) throws Exception {
        for (int i = 0; i < 100; i++) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (java.io.IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("s_server did not listen on " + port);
    }

    private static void run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }
}
