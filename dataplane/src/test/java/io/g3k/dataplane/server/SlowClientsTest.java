package io.g3k.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.Flood;
import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.SocketTable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slowloris and idle handshakes: a client that trickles its request head, or opens a connection and says
 * nothing, is cut off when the head timeout runs out, however often it sends a byte; nothing reaches the origin
 * and no task stays behind. And slow reading: a client that stops reading a response is let go.
 */
class SlowClientsTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true,
            "    req_header_recv_timeout: 1s\n    task_idle_check_interval: 2s\n    task_idle_max_count: 1\n",
            "    negotiation_timeout: 1s\n");

    @AfterEach
    void nothingReachedTheOriginAndNothingLeaked() {
        assertThat(fixture.origin().requests.get()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> fixture.proxy().aliveTasks() == 0);
    }

    @Test
    void aRequestHeadTrickledByteByByteIsCutOffAtTheDeadline() throws Exception {
        String host = "127.0.0.1:" + fixture.origin().port();
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            c.send("GET http://" + host + "/ HTTP/1.1\r\nHost: " + host + "\r\n");
            long start = System.nanoTime();
            boolean cut = false;
            for (int i = 0; i < 40 && !cut; i++) {
                try {
                    c.send("X-Slow-" + i + ": y\r\n");
                    Thread.sleep(100);
                    cut = c.socket().getInputStream().available() > 0;
                } catch (IOException reset) {
                    cut = true;
                }
            }
            String reply = cut ? c.readUntilClosed() : "";
            assertThat(cut).as("still open after 4 s of trickling").isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            assertThat(reply).satisfiesAnyOf(r -> assertThat(r).isEmpty(), r -> assertThat(r).startsWith("HTTP/1.1 408"));
        }
    }

    /**
     * slowhttptest, a real slowloris tool, through the proxy ({@code -d}): 300 connections, each sending one more
     * header line a second, are all cut at the 1 s head deadline (the run ends with no open connection left, long
     * before its 10 s limit), and its probe through the proxy gets an answer all along (a refusal: its target is a
     * closed port, so that nothing reaches the origin).
     */
    @Test
    void slowhttptestsSlowlorisIsCutOffWhileTheProxyKeepsAnswering() throws Exception {
        Process p = new ProcessBuilder("slowhttptest", "-H", "-c", "300", "-r", "150", "-i", "1", "-x", "24",
                "-l", "10", "-p", "2", "-t", "GET", "-u", "http://127.0.0.1:9/",
                "-d", "127.0.0.1:" + fixture.proxy().port("http")).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replaceAll("\u001b\\[[0-9;]*m", "");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).contains("using proxy:                      HTTP proxy at 127.0.0.1:")
                .contains("Exit status: No open connections left").contains("service available:   YES")
                .doesNotContain("service available:   NO");
        var ended = Pattern.compile("Test ended on (\\d+)\\w\\w second").matcher(out);
        assertThat(ended.find()).as(out).isTrue();
        assertThat(Integer.parseInt(ended.group(1))).as(out).isLessThan(8);
    }

    @Test
    void anIdleHttpConnectionIsClosed() throws Exception {
        try (RawClient c = new RawClient(fixture.proxy().port("http"))) {
            assertThat(c.readUntilClosed()).satisfiesAnyOf(r -> assertThat(r).isEmpty(),
                    r -> assertThat(r).startsWith("HTTP/1.1 408"));
        }
    }

    @Test
    void anIdleOrHalfDoneSocksHandshakeIsClosed() throws Exception {
        try (RawClient idle = new RawClient(fixture.proxy().port("socks"));
             RawClient half = new RawClient(fixture.proxy().port("socks"))) {
            half.send(new byte[] {5, 1, 0});
            assertThat(half.readExactly(2)).containsExactly(5, 0);
            assertThat(idle.readUntilClosed()).isEmpty();
            assertThat(half.readUntilClosed()).isEmpty();
        }
    }

    /**
     * A client that stops reading a forwarded response, whose body the origin goes on sending: the exchange ends
     * (reason Idle) after the task's idle span without a byte of the body (2 s here), and the proxy lets go of the
     * client's socket. Until 2026-12-07 it held both connections for good.
     */
    @Test
    void aClientThatStopsReadingAResponseBodyIsLetGoAfterTheIdleSpan() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = origin.accept()) {
                    s.getInputStream().read(new byte[4096]);
                    s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 1000000000\r\n\r\n".getBytes());
                    Flood.write(s.getOutputStream(), Long.MAX_VALUE);
                } catch (IOException closedByTheProxy) {
                    // the end of the test
                }
            });
            try (Socket client = new Socket()) {
                client.setReceiveBufferSize(4096);
                client.connect(new InetSocketAddress("127.0.0.1", fixture.proxy().port("http")));
                client.getOutputStream().write(("GET http://127.0.0.1:" + origin.getLocalPort() + "/ HTTP/1.1\r\n"
                        + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                Thread.sleep(1_000); // the buffers on the way fill up
                int proxyPort = fixture.proxy().port("http");
                assertThat(SocketTable.held(proxyPort, client.getLocalPort())).isTrue();
                await().atMost(Duration.ofSeconds(6)).until(() -> !SocketTable.held(proxyPort, client.getLocalPort()));
            }
        }
    }
}
