package io.g3k.dataplane.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RawClient;
import java.io.IOException;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Slowloris and idle handshakes: a client that trickles its request head, or opens a connection and says
 * nothing, is cut off when the head timeout runs out, however often it sends a byte; nothing reaches the origin
 * and no task stays behind.
 */
class SlowClientsTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true,
            "    req_header_recv_timeout: 1s\n", "    negotiation_timeout: 1s\n");

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
}
