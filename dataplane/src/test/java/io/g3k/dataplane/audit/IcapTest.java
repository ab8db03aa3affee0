package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import io.g3k.dataplane.support.Yaml;
import io.g3k.dataplane.support.SocketTable;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import java.util.concurrent.atomic.AtomicInteger;

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
        return proxy(name, auditor, "");
    }

    /** {@code top}: more top-level configuration, before the auditor. */
    static RunningProxy proxy(String name, String auditor, String top) throws Exception {
        return RunningProxy.start(Files.createDirectories(dir.resolve(name)), top + """
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

    /**
     * A user's {@code audit.task_audit_ratio} samples its forwarded requests for ICAP in place of the auditor's: one
     * at 0 gets the response unadapted, a user without it gets RESPMOD's block page through the same server.
     */
    @Test
    void aUsersAuditRatioSamplesItsRequestsForIcap() throws Exception {
        try (RunningProxy proxy = RunningProxy.start(Files.createDirectories(dir.resolve("user-ratio")), """
                auditor:
                  - {name: icap, icap_respmod_service: "%s"}
                user_group:
                  - name: users
                    static_users:
                      - {name: audited, token: null}
                      - {name: unsampled, token: null, audit: {task_audit_ratio: 0}}
                """.formatted(service("content_filter")) + Yaml.withServers("""
                  - {name: http, type: http_proxy, escaper: default, auditor: icap, user_group: users,
                     listen: "127.0.0.1:0"}
                """))) {
            String url = "http://127.0.0.1:" + origin.port() + "/forbidden-word";
            String via = "http://127.0.0.1:" + proxy.port("http");
            var audited = Curl.run("-s", "-x", via, "-U", "audited:x", "-w", "\n%{http_code}", url);
            assertThat(audited.out()).contains("Web page access blocked").endsWith("403");
            var unsampled = Curl.run("-s", "-x", via, "-U", "unsampled:x", "-w", "\n%{http_code}", url);
            assertThat(unsampled.out()).isEqualTo("hello /forbidden-word\n\n200");
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
            await().until(() -> proxy.aliveTasks() == 0);
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

    /**
     * icaps: ICAP over TLS to c-icap's own TLS port, the service's certificate checked against the CA given. One
     * signed by another CA fails closed, and so does a service that accepts the connection and never answers the
     * handshake: at the 10 s handshake timeout (timed off the event loop), long before the exchange's 30 s.
     */
    @Test
    void icapsChecksTheServiceAndBoundsItsHandshake() throws Exception {
        TestPki pki = new TestPki(Files.createDirectories(dir.resolve("icaps-pki")));
        TestPki other = new TestPki(Files.createDirectories(dir.resolve("icaps-other")), "another CA");
        int tlsPort = PeerProcess.freePort();
        try (PeerProcess tlsIcap = PeerProcess.cIcap(dir, List.of("TlsPort 127.0.0.1:" + tlsPort
                     + " cert=" + pki.serverCertPem + " key=" + pki.serverKeyPem));
             ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             RunningProxy trusted = proxy("icaps", icaps(tlsPort, pki));
             RunningProxy untrusted = proxy("icaps-untrusted", icaps(tlsPort, other));
             RunningProxy stalled = proxy("icaps-silent", icaps(silent.getLocalPort(), pki))) {
            assertThat(get(trusted, "http://127.0.0.1:" + origin.port() + "/icaps").out())
                    .isEqualTo("hello /icaps\n\n200");
            int before = origin.requests.get();
            assertThat(get(untrusted, "http://127.0.0.1:" + origin.port() + "/untrusted").out()).endsWith("502");
            long start = System.nanoTime();
            assertThat(get(stalled, "http://127.0.0.1:" + origin.port() + "/silent").out()).endsWith("502");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(
                    Duration.ofSeconds(9), Duration.ofSeconds(20));
            assertThat(origin.requests.get()).isEqualTo(before);
            assertThat(untrusted.aliveTasks()).isZero();
            assertThat(stalled.aliveTasks()).isZero();
        }
    }

    private static String icaps(int port, TestPki trusting) {
        return "    icap_reqmod_service: {url: icaps://localhost:" + port + "/echo, tls_client: {ca_certificate: "
                + trusting.caPem + "}}";
    }

    /**
     * A service URL with a host name: looked up through the system resolver (here /etc/hosts) on a lookup thread, not
     * on the event loop, where a slow DNS server would stall every connection of the loop. A name that does not
     * resolve fails closed, saying which service and why, and reaches nothing.
     */
    @Test
    void aServiceNamedByHostIsLookedUpOffTheEventLoop() throws Exception {
        try (RunningProxy named = proxy("named", "    icap_reqmod_service: icap://localhost:" + icap.port() + "/echo");
             RunningProxy unknown = proxy("unknown", "    icap_reqmod_service: icap://no-such-icap.invalid:"
                     + icap.port() + "/echo")) {
            assertThat(get(named, "http://127.0.0.1:" + origin.port() + "/named").out())
                    .isEqualTo("hello /named\n\n200");
            assertThat(Thread.getAllStackTraces().keySet()).anyMatch(t -> t.getName().startsWith("g3k-icap-lookup-"));
            int before = origin.requests.get();
            assertThat(get(unknown, "http://127.0.0.1:" + origin.port() + "/unknown").out()).endsWith("502");
            assertThat(origin.requests.get()).isEqualTo(before);
            assertThat(unknown.aliveTasks()).isZero();
        }
    }

    /**
     * icap_connection_pool: messages go on connections kept from earlier ones. Six requests, each a client connection
     * of its own, open at most one connection to the service per event loop (OPTIONS included), where a connection
     * per message opened seven; with an idle_timeout of 1 s the kept connections are closed once unused, and the next
     * message opens a new one.
     */
    @Test
    void messagesGoOnConnectionsKeptFromEarlierOnes() throws Exception {
        // two event loops whatever the machine: with as many loops as requests, every message would open a connection
        try (RunningProxy proxy = proxy("pooled", "    icap_reqmod_service: {url: " + service("echo")
                + ", icap_connection_pool: {idle_timeout: 1s}}", "worker:\n  thread_number: 2\n")) {
            long before = SocketTable.connectionsTo(icap.port(), false);
            for (int i = 0; i < 6; i++) {
                assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/pooled").out())
                        .isEqualTo("hello /pooled\n\n200");
            }
            assertThat(SocketTable.connectionsTo(icap.port(), false) - before).isBetween(1L, 2L);
            await().atMost(Duration.ofSeconds(4))
                    .until(() -> SocketTable.connectionsTo(icap.port(), true) == 0);
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/after-idle").out())
                    .isEqualTo("hello /after-idle\n\n200");
        }
    }

    /**
     * A kept connection the service drops as the next message arrives on it (no answer, no {@code Connection:
     * close} before): the message goes again on a new connection, and the client never sees it. A stand-in service
     * answers OPTIONS and one REQMOD (204) on each connection, and closes it on the next REQMOD unanswered.
     */
    @Test
    void aMessageOnAKeptConnectionTheServiceDropsGoesAgainOnANewOne() throws Exception {
        try (ServerSocket service = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
             RunningProxy proxy = proxy("dropped", "    icap_reqmod_service: icap://127.0.0.1:"
                     + service.getLocalPort() + "/reqmod")) {
            AtomicInteger dropped = new AtomicInteger();
            Thread.ofVirtual().start(() -> {
                while (!service.isClosed()) {
                    try {
                        Socket connection = service.accept();
                        Thread.ofVirtual().start(() -> answerOnceThenDrop(connection, dropped));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            // client connections take the event loops in turn: with four, some land where a connection is kept
            for (int i = 0; i < 4; i++) {
                assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/message-" + i).out())
                        .isEqualTo("hello /message-" + i + "\n\n200");
            }
            assertThat(dropped.get()).isPositive();
        }
    }

    private static void answerOnceThenDrop(Socket connection, AtomicInteger dropped) {
        try (connection) {
            InputStream in = connection.getInputStream();
            boolean answered = false;
            for (String head; (head = readHead(in)) != null; ) {
                if (head.startsWith("OPTIONS")) {
                    connection.getOutputStream().write(("ICAP/1.0 200 OK\r\nMethods: REQMOD\r\nAllow: 204\r\n"
                            + "Encapsulated: null-body=0\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                } else if (answered) {
                    dropped.incrementAndGet();
                    return;
                } else {
                    readHead(in); // the HTTP request head it carries (a GET: no body)
                    connection.getOutputStream().write(("ICAP/1.0 204 No Content\r\nEncapsulated: null-body=0"
                            + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    answered = true;
                }
            }
        } catch (IOException e) {
            // the proxy closed it
        }
    }

    /** A head up to its empty line; null at the end of the stream. */
    private static String readHead(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (head.length() < 4 || !head.substring(head.length() - 4).equals("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return null;
            }
            head.append((char) b);
        }
        return head.toString();
    }
}
