package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One deadline per client connection, re-armed per phase: the response header timeout answers 504 for an origin
 * that never answers, the idle timeout closes a kept-alive connection, and a client that keeps coming back within
 * the idle timeout is never cut.
 */
class HttpDeadlinesTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true,
            "    rsp_header_recv_timeout: 1s\n    pipeline_read_idle_timeout: 1s\n", "");

    @AfterEach
    void noTaskStaysBehind() {
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy().aliveTasks() == 0);
    }

    @Test
    void anOriginThatNeverAnswersGets504() throws Exception {
        List<Socket> accepted = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0, 8, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try {
                    accepted.add(silent.accept());
                } catch (Exception closed) {
                    // the test is over
                }
            });
            String host = "127.0.0.1:" + silent.getLocalPort();
            long start = System.nanoTime();
            try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
                c.send("GET http://" + host + "/ HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
                assertThat(c.readUntilClosed()).startsWith("HTTP/1.1 504");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(900),
                    Duration.ofSeconds(4));
        } finally {
            for (Socket s : accepted) {
                s.close();
            }
        }
    }

    @Test
    void aKeptAliveConnectionIsClosedWhenIdle() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            assertThat(get(c, "/once")).contains("hello /once");
            long start = System.nanoTime();
            assertThat(c.readUntilClosed()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(700),
                    Duration.ofSeconds(4));
        }
    }

    @Test
    void aClientComingBackWithinTheIdleTimeoutIsNeverCut() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            for (int i = 0; i < 4; i++) {
                assertThat(get(c, "/again-" + i)).contains("hello /again-" + i);
                Thread.sleep(600); // 2.4 s in all: twice the idle timeout, never idle for a whole one
            }
        }
    }

    /** One keep-alive request and its whole response (the test origin always sends Content-Length). */
    private static String get(RawClient c, String path) throws Exception {
        String host = "127.0.0.1:" + fixture.origin().port();
        c.send("GET http://" + host + path + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
        String text = c.readHead();
        int length = Integer.parseInt(text.replaceAll("(?is).*content-length:\\s*(\\d+).*", "$1"));
        return text + new String(c.readExactly(length), StandardCharsets.ISO_8859_1);
    }
}
