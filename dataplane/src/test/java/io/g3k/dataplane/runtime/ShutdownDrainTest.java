package io.g3k.dataplane.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.G3kProcess;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SIGTERM, as Kubernetes stops a pod, to a g3k process with a CONNECT tunnel open: it goes offline at once (readiness
 * 503, new connections refused) while the tunnel goes on carrying requests; it exits 0 as soon as the tunnel ends, or,
 * if the tunnel never does, cuts it at {@code runtime.task_wait_timeout} (3 s here) and exits 0 then.
 */
class ShutdownDrainTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void sigtermStopsAcceptingDrainsTheTunnelAndExits(boolean tunnelEnds) throws Exception {
        int port = PeerProcess.freePort();
        Path main = Files.writeString(dir.resolve("main.yml"), "runtime:\n  task_wait_timeout: 3s\n"
                + Yaml.withServers("""
                  - {name: http, type: http_proxy, escaper: default, listen: "127.0.0.1:%d"}
                """.formatted(port)));
        try (TestOrigin origin = TestOrigin.http();
             G3kProcess g3k = G3kProcess.start(main, "drain", dir);
             RawClient tunnel = new RawClient(port)) {
            tunnel.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(tunnel.readHead()).startsWith("HTTP/1.1 200");
            long signalled = System.nanoTime();
            g3k.terminate();
            await().atMost(Duration.ofSeconds(2)).until(() -> g3k.get("/healthz").contains("offline"));
            assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
            tunnel.send("GET /draining HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(tunnel.readHead()).startsWith("HTTP/1.1 200");
            assertThat(new String(tunnel.readExactly(16))).isEqualTo("hello /draining\n");
            if (tunnelEnds) {
                tunnel.close();
                assertThat(g3k.awaitExit(Duration.ofSeconds(2))).isEqualTo(OptionalInt.of(0));
                assertThat(Duration.ofNanos(System.nanoTime() - signalled)).isLessThan(Duration.ofMillis(2900));
            } else {
                assertThat(tunnel.readUntilClosed()).isEmpty(); // cut at the drain's end
                assertThat(g3k.awaitExit(Duration.ofSeconds(5))).isEqualTo(OptionalInt.of(0));
                assertThat(Duration.ofNanos(System.nanoTime() - signalled))
                        .isBetween(Duration.ofMillis(2900), Duration.ofSeconds(6));
            }
        }
    }
}
