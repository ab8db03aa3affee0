package io.g3k.dataplane.server.socksproxy;

import static io.g3k.dataplane.server.socksproxy.SocksUdpAssociateTest.associate;
import static io.g3k.dataplane.server.socksproxy.SocksUdpAssociateTest.datagram;
import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.UdpEcho;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code udp_sock_speed_limit} on the socks server (client socket), the escaper (remote socket) and the user: a burst
 * of 100 datagrams through UDP ASSOCIATE to a real echo server comes back whole without a limit, and cut to the
 * slices' budgets with one. Slices are 512 ms ({@code shift_millis: 9}) and the burst is read for 1.2 s, so at most
 * three slices' worth may come back.
 */
class UdpSpeedLimitTest {
    static final int BURST = 100;
    @TempDir
    static Path dir;
    @RegisterExtension
    static final UdpEcho echo = UdpEcho.start();

    /** Sends the burst through a fresh association (with credentials when given) and counts the echoes. */
    static int echoedOfBurst(RunningProxy proxy, String user, String password) throws Exception {
        try (RawClient control = new RawClient(proxy.port("socks"));
             DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            if (user != null) {
                login(control, user, password);
            }
            InetSocketAddress relay = user == null ? associate(control) : SocksUdpAssociateTest.requestAssociate(control);
            client.setReceiveBufferSize(1 << 20);
            InetSocketAddress target = echo.address();
            String payload = "x".repeat(400);
            for (int i = 0; i < BURST; i++) {
                byte[] out = datagram(0, target, payload);
                client.send(new DatagramPacket(out, out.length, relay));
            }
            int echoed = 0;
            long deadline = System.nanoTime() + 1_200_000_000L;
            while (System.nanoTime() < deadline) {
                client.setSoTimeout((int) Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
                try {
                    DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
                    client.receive(in);
                    assertThat(new String(in.getData(), 10, in.getLength() - 10, StandardCharsets.UTF_8)).isEqualTo(payload);
                    echoed++;
                } catch (SocketTimeoutException done) {
                    break;
                }
            }
            return echoed;
        }
    }

    private static void login(RawClient control, String user, String password) throws Exception {
        control.send(new byte[] {5, 1, 2});
        assertThat(control.readExactly(2)).containsExactly(5, 2);
        byte[] u = user.getBytes(StandardCharsets.UTF_8);
        byte[] p = password.getBytes(StandardCharsets.UTF_8);
        byte[] auth = new byte[3 + u.length + p.length];
        auth[0] = 1;
        auth[1] = (byte) u.length;
        System.arraycopy(u, 0, auth, 2, u.length);
        auth[2 + u.length] = (byte) p.length;
        System.arraycopy(p, 0, auth, 3 + u.length, p.length);
        control.send(auth);
        assertThat(control.readExactly(2)).containsExactly(1, 0);
    }

    static RunningProxy start(String name, String yaml) throws Exception {
        return RunningProxy.start(Files.createDirectories(dir.resolve(name)), yaml);
    }

    @Test
    void withoutALimitTheWholeBurstComesBack() throws Exception {
        try (RunningProxy proxy = start("none", Configs.proxies(true, "", ""))) {
            assertThat(echoedOfBurst(proxy, null, null)).isGreaterThanOrEqualTo(BURST * 9 / 10);
        }
    }

    @Test
    void serverLimitCapsUploadPacketsPerSlice() throws Exception {
        try (RunningProxy proxy = start("server", Configs.proxies(true, "",
                "    udp_sock_speed_limit: {shift_millis: 9, upload_packets: 5}\n"))) {
            assertThat(echoedOfBurst(proxy, null, null)).isBetween(1, 15);
        }
    }

    @Test
    void escaperLimitCapsDownloadBytesPerSlice() throws Exception {
        // the replies carry 400 bytes each: 2000 bytes a slice lets five through
        String yaml = Configs.proxies(true, "", "").replace("    resolver: default\n",
                "    resolver: default\n    udp_sock_speed_limit: {shift_millis: 9, download_bytes: 2000}\n");
        try (RunningProxy proxy = start("escaper", yaml)) {
            assertThat(echoedOfBurst(proxy, null, null)).isBetween(1, 15);
        }
    }

    @Test
    void userLimitAppliesToThatUsersSessions() throws Exception {
        String yaml = Configs.proxies(true, "", "    user_group: users\n").replace("      - name: root\n",
                "      - name: root\n        udp_sock_speed_limit: {shift_millis: 9, north_packets: 5}\n");
        try (RunningProxy proxy = start("user", yaml)) {
            assertThat(echoedOfBurst(proxy, "root", "toor")).isBetween(1, 15);
        }
    }

    /**
     * {@code udp_all_upload_speed_limit}: one bucket for all the user's sessions. Two sessions' bursts at once get
     * back together at most what the bucket holds and refills in the 1.2 s they are read for (5 + 12 datagrams), where
     * a limit per session would let each have that much.
     */
    @Test
    void aUsersGlobalLimitIsSharedByItsSessions() throws Exception {
        String yaml = Configs.proxies(true, "", "    user_group: users\n").replace("      - name: root\n",
                "      - name: root\n        udp_all_upload_speed_limit: {replenish_interval: 500ms, replenish_packets: 5}\n");
        try (RunningProxy proxy = start("user-global", yaml)) {
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> echoed(proxy), Thread::startVirtualThread);
            var second = java.util.concurrent.CompletableFuture.supplyAsync(() -> echoed(proxy), Thread::startVirtualThread);
            assertThat(first.join() + second.join()).isBetween(2, 20);
        }
    }

    private static int echoed(RunningProxy proxy) {
        try {
            return echoedOfBurst(proxy, "root", "toor");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
