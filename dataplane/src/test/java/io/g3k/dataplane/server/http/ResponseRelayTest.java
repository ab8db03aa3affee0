package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstream responses relayed as raw bytes, end to end through an http_proxy, from an origin that answers each path
 * with exact bytes: chunked bodies with trailers arrive as they were sent and the upstream connection is reused,
 * hop-by-hop headers never reach the client, HEAD, interim and close-delimited responses are framed right, and a
 * malformed response is a 502 that leaves no task behind. A small response goes out in one piece, but a head
 * whose body is late is not held back for it.
 */
class ResponseRelayTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "", "");

    private static final String CHUNKED_BODY = "4;note=x\r\nwiki\r\n6\r\npedia \r\n0\r\nX-Checksum: 1\r\n\r\n";
    private static final Map<String, String> RESPONSES = Map.of(
            "/chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n" + CHUNKED_BODY,
            "/hop", "HTTP/1.1 200 OK\r\nConnection: keep-alive, X-Secret\r\nX-Secret: s\r\nKeep-Alive: timeout=9\r\n"
                    + "Upgrade: h2c\r\nX-Kept: k\r\nContent-Length: 2\r\n\r\nok",
            "/head", "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n",
            "/continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 4\r\n\r\ndone",
            "/until-close", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it until the close",
            "/invalid", "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n",
            "/conflicting", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc");
    private static ScriptedOrigin origin;

    @BeforeAll
    static void start() throws IOException {
        origin = new ScriptedOrigin();
    }

    @AfterAll
    static void stop() throws IOException {
        origin.close();
    }

    @AfterEach
    void noTaskStaysBehind() {
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy().aliveTasks() == 0);
    }

    @Test
    void aChunkedBodyArrivesAsSentAndTheUpstreamConnectionIsReused() throws Exception {
        int before = origin.connections.get();
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            for (int i = 0; i < 3; i++) {
                c.send(get("/chunked"));
                String head = c.readHead();
                assertThat(head).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("transfer-encoding: chunked")
                        .containsIgnoringCase("connection: keep-alive");
                assertThat(new String(c.readExactly(CHUNKED_BODY.length()), StandardCharsets.ISO_8859_1))
                        .isEqualTo(CHUNKED_BODY);
            }
        }
        assertThat(origin.connections.get() - before).as("upstream connections for three requests").isEqualTo(1);
        assertThat(Curl.run("-x", "http://127.0.0.1:" + fixture.proxy().port("http"), origin.url("/chunked")).out())
                .isEqualTo("wikipedia ");
    }

    @Test
    void hopByHopHeadersOfTheOriginNeverReachTheClient() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send(get("/hop"));
            String head = c.readHead();
            assertThat(head).contains("X-Kept: k").doesNotContainIgnoringCase("x-secret")
                    .doesNotContainIgnoringCase("keep-alive: timeout").doesNotContainIgnoringCase("upgrade")
                    .containsIgnoringCase("connection: keep-alive");
            assertThat(new String(c.readExactly(2), StandardCharsets.ISO_8859_1)).isEqualTo("ok");
        }
    }

    @Test
    void aHeadResponseHasNoBodyAndTheConnectionGoesOn() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send("HEAD " + origin.url("/head") + " HTTP/1.1\r\nHost: " + origin.host() + "\r\n\r\n");
            assertThat(c.readHead()).contains("Content-Length: 1000");
            c.send(get("/hop")); // the next answer follows right after the head: no body was in between
            assertThat(c.readHead()).startsWith("HTTP/1.1 200 OK").contains("X-Kept: k");
        }
    }

    @Test
    void anInterimResponseComesBeforeTheFinalOne() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send(get("/continue"));
            assertThat(c.readHead()).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            assertThat(c.readHead()).startsWith("HTTP/1.1 201 Created");
            assertThat(new String(c.readExactly(4), StandardCharsets.ISO_8859_1)).isEqualTo("done");
        }
    }

    @Test
    void aBodyEndedByTheCloseIsPassedOnWholeThenTheClientConnectionCloses() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send(get("/until-close"));
            String all = c.readUntilClosed();
            assertThat(all).containsIgnoringCase("connection: close").endsWith("\r\n\r\nall of it until the close");
        }
    }

    @Test
    void malformedResponsesAre502() throws Exception {
        for (String path : new String[] {"/invalid", "/conflicting"}) {
            try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
                c.send(get(path));
                assertThat(c.readUntilClosed()).startsWith("HTTP/1.1 502").contains("invalid response from");
            }
        }
    }

    @Test
    void aHeadWhoseBodyIsLateReachesTheClientBeforeTheBodyIsSent() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send(get("/late-body"));
            // the origin sends the body only once the client has the head
            assertThat(c.readHead()).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 4");
            origin.headSeen.release();
            assertThat(new String(c.readExactly(4), StandardCharsets.ISO_8859_1)).isEqualTo("late");
            c.send(get("/hop")); // and the connection goes on
            assertThat(c.readHead()).startsWith("HTTP/1.1 200 OK").contains("X-Kept: k");
        }
    }

    private static String get(String path) {
        return "GET " + origin.url(path) + " HTTP/1.1\r\nHost: " + origin.host() + "\r\n\r\n";
    }

    /**
     * Answers each request with the exact bytes listed for its path; /until-close closes after its answer, and
     * /late-body sends its body only when {@link #headSeen} is released (or closes after 10 s without it).
     */
    private static final class ScriptedOrigin implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
        final AtomicInteger connections = new AtomicInteger();
        final Semaphore headSeen = new Semaphore(0);

        ScriptedOrigin() throws IOException {
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        String host() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        String url(String path) {
            return "http://" + host() + path;
        }

        private void serve(Socket s) {
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                for (String path; (path = readRequestPath(in)) != null; ) {
                    if (path.equals("/late-body")) {
                        out.write("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        if (!headSeen.tryAcquire(10, TimeUnit.SECONDS)) {
                            return;
                        }
                        out.write("late".getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        continue;
                    }
                    out.write(RESPONSES.getOrDefault(path, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (path.equals("/until-close")) {
                        return;
                    }
                }
            } catch (IOException gone) {
                // the proxy closed the connection
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** The path of the next request (its head read whole), or null at the end of the connection. */
        private static String readRequestPath(InputStream in) throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    return null;
                }
                head.write(b);
            }
            return head.toString(StandardCharsets.ISO_8859_1).split(" ")[1];
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
