package io.g3k.dataplane.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.config.server.CopyBuffers;
import io.g3k.dataplane.support.Flood;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.SocketTable;
import io.g3k.dataplane.support.Yaml;
import io.netty.channel.ChannelConfig;
import io.netty.channel.MaxMessagesRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte relay through tcp_stream against a real TCP peer: everything arrives intact, a half-close (FIN after a
 * large upload) reaches the peer only after the last byte, and the peer can still answer afterwards; a client that
 * says goodbye after the peer has closed (a TLS close_notify, then its FIN or a reset) ends the tunnel; and
 * {@code task_idle_check_interval} × {@code task_idle_max_count} without a byte either way closes it. tcp_stream runs
 * on epoll loops, where the relay moves bytes itself ({@link EpollRelay}) once the sockets carry nothing else: its
 * back-pressure, its byte counts and its handling of many connections ending at once are tried too.
 */
class RelayTest {
    @TempDir
    Path dir;

    interface Serve {
        void serve(Socket s) throws Exception;
    }

    /** A loopback peer that serves each connection it accepts on a virtual thread of its own, then closes it. */
    private static ServerSocket peer(Serve serve) throws IOException {
        ServerSocket peer = new ServerSocket();
        peer.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread.ofVirtual().start(() -> {
            while (!peer.isClosed()) {
                try {
                    Socket s = peer.accept();
                    Thread.ofVirtual().start(() -> {
                        try (s) {
                            serve.serve(s);
                        } catch (Exception ignored) {
                            // the client side asserts
                        }
                    });
                } catch (IOException e) {
                    return;
                }
            }
        });
        return peer;
    }

    /** g3k with one tcp_stream server, "tcp", to the peer; {@code keys} are more of the server's keys. */
    private RunningProxy tcpStream(ServerSocket peer, String keys) throws IOException {
        return RunningProxy.start(dir, Yaml.withServers("""
                  - name: tcp
                    escaper: default
                    type: tcp_stream
                    listen: "127.0.0.1:0"
                    proxy_pass: "127.0.0.1:%d"
                """.formatted(peer.getLocalPort()) + keys));
    }

    /** With g3proxy's tcp_copy keys too: 4 KiB reads, 64 of them in a row at most. */
    @ParameterizedTest
    @ValueSource(strings = {"", "    tcp_copy_buffer_size: 4KiB\n    tcp_copy_yield_size: 256KiB\n"})
    void halfCloseComesAfterTheLastByteAndTheAnswerStillFlows(String keys) throws Exception {
        try (ServerSocket peer = peer(s -> {
                 MessageDigest sha = MessageDigest.getInstance("SHA-256");
                 InputStream in = s.getInputStream();
                 byte[] buf = new byte[65536];
                 long total = 0;
                 int n;
                 while ((n = in.read(buf)) >= 0) {
                     sha.update(buf, 0, n);
                     total += n;
                 }
                 OutputStream out = s.getOutputStream();
                 out.write((total + " " + HexFormat.of().formatHex(sha.digest())).getBytes(StandardCharsets.UTF_8));
             });
             RunningProxy proxy = tcpStream(peer, keys);
             Socket client = new Socket("127.0.0.1", proxy.port("tcp"))) {
            byte[] data = new byte[16 << 20];
            new Random(42).nextBytes(data);
            client.getOutputStream().write(data);
            client.shutdownOutput();
            String answer = new String(client.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String expected = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(answer).isEqualTo(data.length + " " + expected);
        }
    }

    /** tcp_copy_buffer_size bounds each read however full the reads come; tcp_copy_yield_size the reads in a row. */
    @Test
    void tcpCopyKeysBoundTheRelaysReads() {
        assertThat(Relay.reads(CopyBuffers.DEFAULTS)).isNull();
        RecvByteBufAllocator reads = Relay.reads(new CopyBuffers(Optional.of(4096), Optional.of(262144), 4096)).allocator();
        assertThat(((MaxMessagesRecvByteBufAllocator) reads).maxMessagesPerRead()).isEqualTo(64);
        RecvByteBufAllocator.Handle handle = reads.newHandle();
        ChannelConfig config = new EmbeddedChannel().config();
        int largest = 0;
        for (int round = 0; round < 50; round++) {
            handle.reset(config);
            int guess = handle.guess();
            largest = Math.max(largest, guess);
            handle.lastBytesRead(guess); // every read fills its buffer: the guess grows as far as it may
            handle.incMessagesRead(1);
            handle.readComplete();
        }
        assertThat(largest).isEqualTo(4096);
    }

    /**
     * The peer answers and closes; the client reads to the end, sends a last few bytes (a TLS close_notify, say)
     * and closes at once, every other time with a reset, so the bytes and the end arrive together. On io_uring
     * with Netty's multishot POLLIN (edge-triggered) the read of those bytes found the socket empty and the end
     * behind them was never read: the tunnel and both its sockets stayed open for good (thousands in a few
     * seconds of {@code wrk -H 'Connection: close'} through sni_proxy). tcp_stream runs on the relay loops (epoll
     * beside io_uring workers), CONNECT tunnels on the workers: both are tried.
     */
    @ParameterizedTest
    @ValueSource(strings = {"tcp_stream", "CONNECT"})
    void aClientGoodbyeRightAfterThePeerClosedEndsTheTunnel(String via) throws Exception {
        try (ServerSocket peer = peer(s -> {
                 s.getInputStream().read(new byte[64]);
                 s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
             });
             RunningProxy proxy = via.equals("CONNECT") ? httpProxy() : tcpStream(peer, "")) {
            for (int i = 0; i < 200; i++) {
                try (Socket client = new Socket("127.0.0.1", proxy.port(via.equals("CONNECT") ? "http" : "tcp"))) {
                    if (via.equals("CONNECT")) {
                        connect(client, peer.getLocalPort());
                    }
                    client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    assertThat(client.getInputStream().readAllBytes()).asString().isEqualTo("bye");
                    client.getOutputStream().write(new byte[31]);
                    if (i % 2 == 0) {
                        client.setSoLinger(true, 0);
                    }
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 0);
        }
    }

    /**
     * Both ends late to read: the client and the peer each send 16 MiB while the other side reads nothing for half a
     * second, so the relay's writes come back short both ways and each side must stop reading and resume. Every
     * byte arrives, in order, and the server's traffic counters have each byte once.
     */
    @Test
    void backPressureBothWaysKeepsEveryByteAndCountsIt() throws Exception {
        byte[] up = new byte[16 << 20];
        byte[] down = new byte[16 << 20];
        new Random(7).nextBytes(up);
        new Random(8).nextBytes(down);
        var peerGot = new CompletableFuture<String>();
        try (ServerSocket peer = peer(s -> {
                 Thread writer = sendAll(s, down);
                 Thread.sleep(500);
                 peerGot.complete(sha256(s.getInputStream().readAllBytes()));
                 writer.join();
             });
             RunningProxy proxy = tcpStream(peer, "");
             Socket client = new Socket("127.0.0.1", proxy.port("tcp"))) {
            Thread writer = sendAll(client, up);
            Thread.sleep(500);
            assertThat(sha256(client.getInputStream().readAllBytes())).isEqualTo(sha256(down));
            writer.join();
            assertThat(peerGot.get(10, TimeUnit.SECONDS)).isEqualTo(sha256(up));
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 0);
            assertThat(proxy.metrics())
                    .contains("g3proxy_server_traffic_in_bytes_total{daemon_group=\"g3k\",server=\"tcp\",transport=\"tcp\"} "
                            + (double) up.length + "\n")
                    .contains("g3proxy_server_traffic_out_bytes_total{daemon_group=\"g3k\",server=\"tcp\",transport=\"tcp\"} "
                            + (double) down.length + "\n");
        }
    }

    /**
     * A client whose bytes the peer does not read, so the relay holds some it cannot pass on, resets its connection:
     * the tunnel ends at once, not after the idle check (the relay had stopped reading that side, so only the
     * socket's error tells).
     */
    @Test
    void aResetClientEndsATunnelWhoseBytesThePeerIsNotReading() throws Exception {
        try (ServerSocket peer = peer(s -> Thread.sleep(60_000));
             RunningProxy proxy = tcpStream(peer, "");
             Socket client = new Socket("127.0.0.1", proxy.port("tcp"))) {
            Thread writer = sendAll(client, new byte[64 << 20]);
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 1);
            Thread.sleep(500); // the buffers on the way fill up
            client.setSoLinger(true, 0);
            client.close();
            writer.join();
            await().atMost(Duration.ofSeconds(3)).until(() -> proxy.aliveTasks() == 0);
        }
    }

    /**
     * Many tunnels opening and ending at once, a third of the clients with a reset: each gets its answer and every task
     * ends. A relay that closed its sockets while the loop still held ready events for them handed those events to
     * the next connections given the same descriptor numbers (failed connects, tunnels that never ended).
     */
    @Test
    void manyTunnelsEndingAtOnceEachGetTheirAnswer() throws Exception {
        try (ServerSocket peer = peer(s -> {
                 s.getInputStream().read(new byte[64]);
                 s.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
             });
             RunningProxy proxy = tcpStream(peer, "")) {
            int port = proxy.port("tcp");
            var clients = new ArrayList<CompletableFuture<Integer>>();
            for (int t = 0; t < 64; t++) {
                int thread = t;
                clients.add(CompletableFuture.supplyAsync(() -> {
                    int answered = 0;
                    for (int i = 0; i < 25; i++) {
                        try (Socket client = new Socket("127.0.0.1", port)) {
                            client.setSoTimeout(5000);
                            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                            if (new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).equals("bye")) {
                                answered++;
                            }
                            if ((thread + i) % 3 == 0) {
                                client.setSoLinger(true, 0);
                            }
                        } catch (IOException e) {
                            // counted as unanswered
                        }
                    }
                    return answered;
                }, Executors.newVirtualThreadPerTaskExecutor()));
            }
            for (var answered : clients) {
                assertThat(answered.get(60, TimeUnit.SECONDS)).isEqualTo(25);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 0);
        }
    }

    /** Sends {@code data} and then a FIN on a thread of its own; a failure shows in what the other end receives. */
    private static Thread sendAll(Socket socket, byte[] data) {
        return Thread.ofVirtual().start(() -> {
            try {
                socket.getOutputStream().write(data);
                socket.shutdownOutput();
            } catch (IOException ignored) {
                // the other end's digest tells
            }
        });
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private RunningProxy httpProxy() throws IOException {
        return RunningProxy.start(dir, Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                """));
    }

    /** Opens a CONNECT tunnel to a loopback port and reads the proxy's 200 head up to its blank line. */
    private static void connect(Socket client, int port) throws IOException {
        client.getOutputStream().write(("CONNECT 127.0.0.1:%d HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n\r\n"
                .formatted(port, port)).getBytes(StandardCharsets.US_ASCII));
        StringBuilder head = new StringBuilder();
        InputStream in = client.getInputStream();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            assertThat(b).as("head so far: %s", head).isNotNegative();
            head.append((char) b);
        }
        assertThat(head.toString()).startsWith("HTTP/1.1 200");
    }

    /** Idle check every 2 s, closed after 2 idle rounds: a silent tunnel ends (reason Idle), a talking one lives. */
    @Test
    void aSilentTunnelIsClosedAfterItsIdleRoundsAndATalkingOneIsNot() throws Exception {
        try (ServerSocket peer = peer(s -> s.getInputStream().transferTo(s.getOutputStream()));
             RunningProxy proxy = tcpStream(peer, """
                     task_idle_check_interval: 2s
                     task_idle_max_count: 2
                 """);
             Socket silent = new Socket("127.0.0.1", proxy.port("tcp"));
             Socket talking = new Socket("127.0.0.1", proxy.port("tcp"))) {
            long start = System.nanoTime();
            var silentEnded = new CompletableFuture<Duration>();
            Thread.ofVirtual().start(() -> {
                try {
                    silent.getInputStream().read();
                } catch (IOException ignored) {
                    // a reset ends it too
                }
                silentEnded.complete(Duration.ofNanos(System.nanoTime() - start));
            });
            talking.setSoTimeout(2000);
            for (int i = 0; i < 14; i++) { // 7 s, past the silent one's 4 s
                talking.getOutputStream().write('x');
                assertThat(talking.getInputStream().read()).isEqualTo('x');
                Thread.sleep(500);
            }
            // the first check finds it idle once, the second closes it
            assertThat(silentEnded.get(1, TimeUnit.SECONDS)).isBetween(Duration.ofMillis(3500), Duration.ofMillis(6500));
            assertThat(proxy.aliveTasks()).isEqualTo(1);
        }
    }

    /**
     * A client that reads nothing more while the peer floods it, so the relay's writes to it never complete, does not
     * keep its socket once the tunnel ends: at once when it ends idle, within the idle span after both ends' FINs
     * (the bytes still queued then had that long to drain). A speed limit keeps the relay in the pipeline, whose
     * close waited for that drain, unbounded, until g3k 2026-12-07.
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aClientThatReadsNothingMoreDoesNotKeepItsSocket(boolean bothEndsSendTheirFin) throws Exception {
        try (ServerSocket peer = peer(s -> Flood.write(s.getOutputStream(), bothEndsSendTheirFin ? 16 << 20 : Long.MAX_VALUE));
             RunningProxy proxy = tcpStream(peer, """
                     tcp_sock_speed_limit: 1G/s
                     task_idle_check_interval: 2s
                     task_idle_max_count: 1
                 """);
             Socket client = new Socket()) {
            client.setReceiveBufferSize(4096);
            client.connect(new InetSocketAddress("127.0.0.1", proxy.port("tcp")));
            Thread.sleep(500); // the tunnel is up and the buffers on the way fill up
            if (bothEndsSendTheirFin) {
                client.shutdownOutput();
            }
            Thread.sleep(500);
            assertThat(SocketTable.held(proxy.port("tcp"), client.getLocalPort())).isTrue();
            // idle after 2-4 s; or the peer's FIN, then 2 s to drain
            await().atMost(Duration.ofSeconds(8)).until(() -> proxy.aliveTasks() == 0
                    && !SocketTable.held(proxy.port("tcp"), client.getLocalPort()));
        }
    }
}
