package io.g3k.dataplane.server.socksproxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.UdpEcho;
import io.g3k.dataplane.support.Yaml;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SOCKS5 UDP ASSOCIATE against a real UDP echo server on loopback. */
class SocksUdpAssociateTest {
    @TempDir
    static Path dir;
    @RegisterExtension
    static final UdpEcho echo = UdpEcho.start();

    /** Negotiates no-auth, sends UDP ASSOCIATE, returns the relay address from the reply. */
    static InetSocketAddress associate(RawClient control) throws Exception {
        control.send(new byte[] {5, 1, 0});
        assertThat(control.readExactly(2)).containsExactly(5, 0);
        return requestAssociate(control);
    }

    /** After the method negotiation: sends UDP ASSOCIATE, returns the relay address from the reply. */
    static InetSocketAddress requestAssociate(RawClient control) throws Exception {
        control.send(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
        byte[] reply = control.readExactly(10);
        assertThat(reply[1]).as("REP").isZero();
        assertThat(reply[3]).as("ATYP").isEqualTo((byte) 1);
        InetAddress ip = InetAddress.getByAddress(Arrays.copyOfRange(reply, 4, 8));
        return new InetSocketAddress(ip, ((reply[8] & 0xff) << 8) | (reply[9] & 0xff));
    }

    static byte[] datagram(int frag, InetSocketAddress target, String payload) {
        byte[] data = payload.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(10 + data.length);
        b.putShort((short) 0).put((byte) frag).put((byte) 1).put(target.getAddress().getAddress())
                .putShort((short) target.getPort()).put(data);
        return b.array();
    }

    /**
     * On a server in g3proxy's "UDP connect" mode (one peer a session), a user's {@code socks_use_udp_associate: true}
     * gives that user full UDP ASSOCIATE: datagrams to a second peer go through too.
     */
    @Test
    void aUsersSocksUseUdpAssociateOverridesTheServers() throws Exception {
        String config = Yaml.withServers("""
                  - name: socks
                    type: socks_proxy
                    escaper: default
                    listen: "127.0.0.1:0"
                    enable_udp_associate: false
                    user_group: users
                """) + Configs.USER_GROUP.replace("      - name: root\n",
                "      - name: root\n        socks_use_udp_associate: true\n");
        try (UdpEcho second = UdpEcho.start();
             RunningProxy proxy = RunningProxy.start(dir, config);
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            control.send(new byte[] {5, 1, 2});
            assertThat(control.readExactly(2)).containsExactly(5, 2);
            control.send(new byte[] {1, 4, 'r', 'o', 'o', 't', 4, 't', 'o', 'o', 'r'});
            assertThat(control.readExactly(2)).containsExactly(1, 0);
            InetSocketAddress relay = requestAssociate(control);
            client.setSoTimeout(5000);
            for (InetSocketAddress peer : new InetSocketAddress[] {echo.address(), second.address()}) {
                byte[] out = datagram(0, peer, "to " + peer.getPort());
                client.send(new DatagramPacket(out, out.length, relay));
                DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                client.receive(in);
                assertThat(new String(in.getData(), 10, in.getLength() - 10, StandardCharsets.UTF_8))
                        .isEqualTo("to " + peer.getPort());
            }
        }
    }

    /**
     * g3proxy's {@code transmute_udp_echo_ip: true}: the reply names the unspecified address (a local IP not in the
     * map, here none is), and the client sends to the proxy's own address; {@code udp_bind_ipv4} takes a list.
     */
    @Test
    void anUnmappedRelayAddressIsRepliedAsUnspecified() throws Exception {
        String keys = "    transmute_udp_echo_ip: true\n    udp_bind_ipv4: [127.0.0.1]\n";
        try (RunningProxy proxy = RunningProxy.start(dir, Configs.proxies(true, "", keys));
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress replied = associate(control);
            assertThat(replied.getAddress().isAnyLocalAddress()).as("replied %s", replied).isTrue();
            InetSocketAddress relay = new InetSocketAddress("127.0.0.1", replied.getPort());
            client.setSoTimeout(5000);
            byte[] out = datagram(0, echo.address(), "to-the-proxy");
            client.send(new DatagramPacket(out, out.length, relay));
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            client.receive(in);
            assertThat(new String(in.getData(), 10, in.getLength() - 10, StandardCharsets.UTF_8)).isEqualTo("to-the-proxy");
        }
    }

    /**
     * Payloads up to udp_relay_packet_size (g3proxy's 4 KiB by default) go through whole, both ways (Netty's own
     * datagram reads stop at 2 KiB and cut the rest off); a larger one is dropped, not cut, and the session goes on.
     */
    @ParameterizedTest
    @CsvSource({"'', 4096, 4097", "'    udp_relay_packet_size: 8K', 8000, 8001"})
    void datagramsUpToThePacketSizeGoThroughWholeAndLargerOnesAreDropped(String keys, int fits, int over)
            throws Exception {
        try (RunningProxy proxy = RunningProxy.start(dir, Configs.proxies(true, "", keys));
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = associate(control);
            client.setSoTimeout(5000);
            String big = "x".repeat(fits - 1) + "!";
            byte[] out = datagram(0, echo.address(), big);
            client.send(new DatagramPacket(out, out.length, relay));
            DatagramPacket in = new DatagramPacket(new byte[65536], 65536);
            client.receive(in);
            assertThat(in.getLength()).isEqualTo(10 + fits);
            assertThat(new String(in.getData(), 10, fits, StandardCharsets.UTF_8)).isEqualTo(big);

            byte[] tooBig = datagram(0, echo.address(), "y".repeat(over));
            client.send(new DatagramPacket(tooBig, tooBig.length, relay));
            client.setSoTimeout(1000);
            assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[65536], 65536)))
                    .isInstanceOf(SocketTimeoutException.class);
            byte[] small = datagram(0, echo.address(), "still-here");
            client.send(new DatagramPacket(small, small.length, relay));
            DatagramPacket after = new DatagramPacket(new byte[65536], 65536);
            client.receive(after);
            assertThat(new String(after.getData(), 10, after.getLength() - 10, StandardCharsets.UTF_8))
                    .isEqualTo("still-here");
        }
    }

    @Test
    void relaysDatagramsBothWays() throws Exception {
        try (RunningProxy proxy = RunningProxy.start(dir, Configs.proxies(true, "", ""));
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = associate(control);
            client.setSoTimeout(5000);
            InetSocketAddress target = echo.address();
            byte[] out = datagram(0, target, "ping-udp");
            client.send(new DatagramPacket(out, out.length, relay));
            DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
            client.receive(in);
            byte[] got = Arrays.copyOf(in.getData(), in.getLength());
            // the reply carries the echo server's address in its header, then the payload
            assertThat(Arrays.copyOfRange(got, 0, 10)).isEqualTo(Arrays.copyOfRange(out, 0, 10));
            assertThat(new String(got, 10, got.length - 10, StandardCharsets.UTF_8)).isEqualTo("ping-udp");

            // RFC 1928: fragments are dropped, not relayed
            byte[] fragment = datagram(1, target, "fragment");
            client.send(new DatagramPacket(fragment, fragment.length, relay));
            assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[2048], 2048)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void forbiddenTargetsAreNotRelayed() throws Exception {
        Path strictDir = Files.createDirectories(dir.resolve("strict"));
        try (RunningProxy proxy = RunningProxy.start(strictDir, Configs.proxies(false, "", ""));
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = associate(control);
            client.setSoTimeout(1500);
            byte[] out = datagram(0, echo.address(), "blocked");
            client.send(new DatagramPacket(out, out.length, relay));
            assertThatThrownBy(() -> client.receive(new DatagramPacket(new byte[2048], 2048)))
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void sessionEndsWithTheControlConnection() throws Exception {
        Path other = Files.createDirectories(dir.resolve("lifetime"));
        try (RunningProxy proxy = RunningProxy.start(other, Configs.proxies(true, "", ""))) {
            RawClient control = new RawClient(proxy.port("socks"));
            associate(control);
            assertThat(proxy.aliveTasks()).isEqualTo(1);
            control.close();
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.aliveTasks() == 0);
        }
    }

    /** Idle check every 2 s, ending after one idle round: a datagram each way, then silence ends the session. */
    @Test
    void aSilentSessionEndsAtItsIdleCheck() throws Exception {
        Path idle = Files.createDirectories(dir.resolve("idle"));
        try (RunningProxy proxy = RunningProxy.start(idle, Configs.proxies(true, "",
                "    task_idle_check_interval: 2s\n    task_idle_max_count: 1\n"));
             RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            InetSocketAddress relay = associate(control);
            client.setSoTimeout(5000);
            byte[] out = datagram(0, echo.address(), "once");
            client.send(new DatagramPacket(out, out.length, relay));
            client.receive(new DatagramPacket(new byte[2048], 2048));
            long start = System.nanoTime();
            // the first check (2 s in) saw the exchange, the second finds nothing new and ends the session
            assertThat(control.readUntilClosed()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(2500), Duration.ofMillis(6000));
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.aliveTasks() == 0);
        }
    }

    /** udp_client_initial_timeout: a session whose client never sends a datagram ends at it, control connection and all. */
    @Test
    void aSessionWithoutAFirstDatagramEndsAtTheInitialTimeout() throws Exception {
        Path quiet = Files.createDirectories(dir.resolve("initial"));
        try (RunningProxy proxy = RunningProxy.start(quiet, Configs.proxies(true, "",
                "    udp_client_initial_timeout: 1s\n"));
             RawClient control = new RawClient(proxy.port("socks"))) {
            associate(control);
            long start = System.nanoTime();
            assertThat(control.readUntilClosed()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(800), Duration.ofMillis(3000));
            Awaitility.await().atMost(Duration.ofSeconds(5))
                    .until(() -> proxy.aliveTasks() == 0);
        }
    }

    /** A range of two ports: two sessions get one each, a third is refused, and closing them frees both. */
    @Test
    void clientSocketsStayWithinTheUdpBindPortRange() throws Exception {
        int first = freeUdpPortPair();
        Path ranged = Files.createDirectories(dir.resolve("ranged"));
        try (RunningProxy proxy = RunningProxy.start(ranged, Configs.proxies(true, "",
                "    udp_bind_port_range: %d-%d\n".formatted(first, first + 1)));
             RawClient one = new RawClient(proxy.port("socks"));
             RawClient two = new RawClient(proxy.port("socks"))) {
            int a = associate(one).getPort();
            int b = associate(two).getPort();
            assertThat(java.util.Set.of(a, b)).containsExactlyInAnyOrder(first, first + 1);
            try (RawClient three = new RawClient(proxy.port("socks"))) {
                three.send(new byte[] {5, 1, 0});
                assertThat(three.readExactly(2)).containsExactly(5, 0);
                three.send(new byte[] {5, 3, 0, 1, 0, 0, 0, 0, 0, 0});
                assertThat(three.readExactly(2)[1]).as("REP: general failure").isEqualTo((byte) 1);
                assertThat(three.readUntilClosed()).hasSizeLessThanOrEqualTo(8);
            }
            one.close();
            two.close();
            Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> proxy.aliveTasks() == 0);
            // the refused session's tries left no socket behind, nor did the two that ended
            for (int port : new int[] {first, first + 1}) {
                Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> udpPortFree(port));
            }
        }
    }

    private static int freeUdpPortPair() {
        for (int port = 31000 + new java.util.Random().nextInt(20000); ; port += 2) {
            if (udpPortFree(port) && udpPortFree(port + 1)) {
                return port;
            }
        }
    }

    private static boolean udpPortFree(int port) {
        try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
            return true;
        } catch (java.net.SocketException e) {
            return false;
        }
    }
}
