package io.g3k.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A target that resets the connection in the middle of a response: the client sees its connection end (never
 * a hang, never a response passed off as complete), and the task ends.
 */
class UpstreamResetTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "", "");

    @AfterEach
    void noTaskLeftBehind() {
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy().aliveTasks() == 0);
    }

    /** Answers one request with a head promising 1 MB, sends 1 KB of it, then resets (SO_LINGER 0). */
    static ServerSocket resettingOrigin() throws Exception {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.getInputStream().read(new byte[4096]);
                s.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n" + "x".repeat(1024))
                        .getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                Thread.sleep(200);
                s.setSoLinger(true, 0);
            } catch (Exception ignored) {
                // the assertions are on the client's side
            }
        });
        return server;
    }

    @Test
    void aForwardedResponseCutByAResetEndsTheClientConnection() throws Exception {
        try (ServerSocket origin = resettingOrigin();
             RawClient c = new RawClient(fixture.proxy().port("http"))) {
            String host = "127.0.0.1:" + origin.getLocalPort();
            c.send("GET http://" + host + "/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            String received = c.readUntilClosed();
            assertThat(received).startsWith("HTTP/1.1 200");
            assertThat(received.length()).isLessThan(1_000_000);
        }
    }

    @Test
    void aTunnelCutByAResetEndsTheClientConnection() throws Exception {
        try (ServerSocket origin = resettingOrigin();
             RawClient c = new RawClient(fixture.proxy().port("http"))) {
            String host = "127.0.0.1:" + origin.getLocalPort();
            c.send("CONNECT " + host + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            String established = "HTTP/1.1 200 Connection established\r\n\r\n";
            assertThat(new String(c.readExactly(established.length()), StandardCharsets.US_ASCII)).isEqualTo(established);
            c.send("GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            String received = c.readUntilClosed();
            assertThat(received).startsWith("HTTP/1.1 200 OK").contains("Content-Length: 1000000");
            assertThat(received.length()).isLessThan(1_000_000);
        }
    }
}
