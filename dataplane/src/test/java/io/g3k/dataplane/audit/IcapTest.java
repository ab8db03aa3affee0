package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICAP REQMOD and RESPMOD against a real c-icap on loopback: its url_check service blocks a host before anything is
 * connected, its content_filter service masks and blocks request and response bodies (with preview, 100 Continue
 * and ieof), and its answers of 204 leave messages alone. Sampling off and a dead service (with and without
 * {@code bypass}) behave as configured.
 */
class IcapTest {
    @TempDir
    static Path dir;
    static PeerProcess icap;
    static TestOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        icap = PeerProcess.cIcap(dir, "blocked.test");
        origin = TestOrigin.http();
    }

    @AfterAll
    static void stop() throws Exception {
        origin.close();
        icap.close();
    }

    static RunningProxy proxy(String name, String auditor) throws Exception {
        return RunningProxy.start(Files.createDirectories(dir.resolve(name)), """
                auditor:
                  - name: icap
                %s
                """.formatted(auditor) + Yaml.withServers("""
                  - name: http
                    type: http_proxy
                    escaper: default
                    auditor: icap
                    listen: "127.0.0.1:0"
                """));
    }

    String service(String name) {
        return "icap://127.0.0.1:" + icap.port() + "/" + name;
    }

    static Curl.Result get(RunningProxy proxy, String url) throws Exception {
        return Curl.run("-s", "-x", "http://127.0.0.1:" + proxy.port("http"), "-w", "\n%{http_code}", url);
    }

    @Test
    void reqmodBlocksAHostBeforeAnyConnectAndPassesTheRest() throws Exception {
        try (RunningProxy proxy = proxy("reqmod", "    icap_reqmod_service: " + service("url_check"))) {
            int before = origin.requests.get();
            var blocked = get(proxy, "http://blocked.test:" + origin.port() + "/x");
            assertThat(blocked.out()).contains("Access denied").endsWith("403");
            var passed = get(proxy, "http://127.0.0.1:" + origin.port() + "/ok");
            assertThat(passed.out()).isEqualTo("hello /ok\n\n200");
            assertThat(origin.requests.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void respmodMasksAndBlocksResponseBodies() throws Exception {
        try (RunningProxy proxy = proxy("respmod", "    icap_respmod_service: " + service("content_filter"))) {
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/top-secret").out())
                    .isEqualTo("hello /XXXXXXXXXX\n\n200");
            var blocked = get(proxy, "http://127.0.0.1:" + origin.port() + "/forbidden-word");
            assertThat(blocked.out()).contains("Web page access blocked").endsWith("403");
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/plain").out())
                    .isEqualTo("hello /plain\n\n200");
        }
    }

    @Test
    void reqmodAdaptsRequestBodiesWithAndWithoutContinue() throws Exception {
        try (RunningProxy proxy = proxy("reqmod-body", "    icap_reqmod_service: " + service("content_filter"))) {
            // the preview (1024 bytes) holds the small body whole: ieof; the large one needs 100 Continue
            for (String body : new String[] {"a top-secret plan", "x".repeat(5000) + " top-secret end"}) {
                var echoed = Curl.run("-s", "-x", "http://127.0.0.1:" + proxy.port("http"), "-H", "Content-Type: text/plain",
                        "--data-binary", body,
                        "http://127.0.0.1:" + origin.port() + "/echo");
                assertThat(echoed.out()).as(echoed.err()).isEqualTo(body.replace("top-secret", "XXXXXXXXXX"));
            }
        }
    }

    /** h1 interception: requests inside an intercepted TLS tunnel, and plain HTTP inside a tunnel, are adapted too. */
    @Test
    void requestsInsideAuditedTunnelsAreAdapted() throws Exception {
        TestPki originPki = new TestPki(Files.createDirectories(dir.resolve("tunnel-origin")), "tunnel origin CA");
        TestPki auditPki = new TestPki(Files.createDirectories(dir.resolve("tunnel-audit")), "tunnel audit CA");
        try (TestOrigin tlsOrigin = TestOrigin.https(originPki);
             RunningProxy proxy = proxy("tunnels", """
                         tls_cert_generator: {ca_certificate: %s, ca_private_key: %s}
                         tls_interception_client: {ca_certificate: %s}
                         icap_respmod_service: %s
                     """.formatted(auditPki.caPem, auditPki.caKeyPem, originPki.caPem, service("content_filter")))) {
            String via = "http://127.0.0.1:" + proxy.port("http");
            String https = "https://localhost:" + tlsOrigin.port();
            // two requests on one intercepted connection, over HTTP/1.1 and over HTTP/2: both adapted
            for (String version : new String[] {"--http1.1", "--http2"}) {
                var intercepted = Curl.run("-s", "-v", version, "-x", via, "--cacert", auditPki.caPem.toString(),
                        https + "/top-secret", https + "/again-top-secret");
                assertThat(intercepted.out()).as(intercepted.err())
                        .isEqualTo("hello /XXXXXXXXXX\nhello /again-XXXXXXXXXX\n");
                assertThat(intercepted.err()).contains("issuer: CN=tunnel audit CA")
                        .contains("Re-using existing connection")
                        .contains(version.equals("--http2") ? "< HTTP/2 200" : "< HTTP/1.1 200");
            }
            var blocked = Curl.run("-s", "-x", via, "--cacert", auditPki.caPem.toString(), "-w", "\n%{http_code}",
                    https + "/forbidden-word");
            assertThat(blocked.out()).contains("Web page access blocked").endsWith("403");
            var plainInTunnel = Curl.run("-s", "-p", "-x", via, "http://127.0.0.1:" + origin.port() + "/top-secret");
            assertThat(plainInTunnel.out()).isEqualTo("hello /XXXXXXXXXX\n");
            org.awaitility.Awaitility.await().until(() -> proxy.aliveTasks() == 0);
        }
    }

    @Test
    void noSamplingMeansNoAdaptation() throws Exception {
        try (RunningProxy proxy = proxy("unsampled", "    icap_respmod_service: " + service("content_filter")
                + "\n    application_audit_ratio: 0")) {
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/top-secret").out())
                    .isEqualTo("hello /top-secret\n\n200");
        }
    }

    @Test
    void aDeadServiceFailsClosedUnlessBypassed() throws Exception {
        int dead = PeerProcess.freePort();
        try (RunningProxy closed = proxy("closed", "    icap_reqmod_service: icap://127.0.0.1:" + dead + "/x");
             RunningProxy open = proxy("bypass", "    icap_reqmod_service: {url: icap://127.0.0.1:" + dead
                     + "/x, bypass: true}")) {
            int before = origin.requests.get();
            assertThat(get(closed, "http://127.0.0.1:" + origin.port() + "/d").out()).endsWith("502");
            assertThat(origin.requests.get()).isEqualTo(before);
            assertThat(get(open, "http://127.0.0.1:" + origin.port() + "/d").out()).isEqualTo("hello /d\n\n200");
            assertThat(closed.aliveTasks()).isZero();
        }
    }
}
