package io.g3k.dataplane.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.config.ConfigException;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tls_server} keys seen by {@code openssl s_client}: session resumption by ticket (TLS 1.3) and by session id
 * (TLS 1.2 without tickets) unless turned off, and certificates given inline or as top-level keys.
 */
class TlsServerSettingsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestOrigin origin;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        pki = new TestPki(dir);
        origin = TestOrigin.http();
        String pair = "cert_pairs:\n  certificate: " + pki.serverCertPem + "\n  private_key: " + pki.serverKeyPem;
        String inline = "certificate: |\n" + Files.readString(pki.serverCertPem).indent(2)
                + "private_key: |\n" + Files.readString(pki.serverKeyPem).indent(2);
        proxy = RunningProxy.start(dir, Yaml.withServers(
                tlsStream("default", pair)
                + tlsStream("no_ticket", pair + "\nno_session_ticket: true")
                + tlsStream("no_cache", pair + "\nno_session_cache: true\nsession_id_context: g3k-test")
                + tlsStream("inline", inline)
                + tlsStream("mtls_system", pair + "\nenable_client_auth: true")));
    }

    private static String tlsStream(String name, String tls) {
        return """
                  - name: %s
                    escaper: default
                    type: tls_stream
                    listen: "127.0.0.1:0"
                    proxy_pass: "127.0.0.1:%d"
                    tls_server:
                %s
                """.formatted(name, origin.port(), tls.indent(6).stripTrailing());
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (origin != null) {
            origin.close();
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
}
