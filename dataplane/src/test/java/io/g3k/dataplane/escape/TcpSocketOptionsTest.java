package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.RunningProxy;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An escaper's {@code tcp_keepalive} and {@code tcp_misc_opts} on its upstream sockets and a server's
 * {@code tcp_misc_opts} on its accepted ones, as the kernel reports them ({@code ss}), through tcp_stream.
 */
class TcpSocketOptionsTest {
    @TempDir
    Path dir;

    @Test
    void optionsReachTheSocketsOfWhoeverSetThem() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             RunningProxy proxy = RunningProxy.start(dir, """
                     resolver:
                       - {name: default, type: c-ares, server: 127.0.0.1:9}
                     escaper:
                       - {name: tuned, type: direct_fixed, resolver: default,
                          egress_network_filter: {default: allow, allow: 127.0.0.1},
                          tcp_keepalive: {enable: true, idle_time: 30s, probe_interval: 5s, probe_count: 3},
                          tcp_misc_opts: {mss: 1200, mark: "0x2a", congestion_control: reno, ttl: 32, tos: 16}}
                       - {name: plain, type: direct_fixed, resolver: default,
                          egress_network_filter: {default: allow, allow: 127.0.0.1}}
                     server:
                       - {name: tuned, type: tcp_stream, escaper: tuned, listen: "127.0.0.1:0",
                          proxy_pass: "127.0.0.1:%1$d", tcp_misc_opts: {mark: 7, congestion_control: reno}}
                       - {name: plain, type: tcp_stream, escaper: plain, listen: "127.0.0.1:0",
                          proxy_pass: "127.0.0.1:%1$d"}
                     """.formatted(origin.getLocalPort()))) {
            int port = origin.getLocalPort();
            try (RawClient tuned = new RawClient(proxy.port("tuned"));
                 Socket upstream = accept(origin, tuned);
                 RawClient plain = new RawClient(proxy.port("plain"));
                 Socket plainUpstream = accept(origin, plain)) {
                String toOrigin = ss("dport = :" + port + " and sport = :" + upstream.getPort());
                assertThat(toOrigin).contains("timer:(keepalive,", "fwmark:0x2a", " reno ", "advmss:1188");
                String toClient = ss("sport = :" + proxy.port("tuned"));
                assertThat(toClient).contains("fwmark:0x7", " reno ").doesNotContain("keepalive");
                String plainToOrigin = ss("dport = :" + port + " and sport = :" + plainUpstream.getPort());
                assertThat(plainToOrigin).contains(":" + port + " ").doesNotContain("keepalive", "fwmark", " reno ");
            }
        }
    }

    @Test
    void listenOptionsReachTheListeningSocketsAndWhatTheyAccept() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             RunningProxy proxy = RunningProxy.start(dir, """
                     resolver:
                       - {name: default, type: c-ares, server: 127.0.0.1:9}
                     escaper:
                       - {name: plain, type: direct_fixed, resolver: default,
                          egress_network_filter: {default: allow, allow: 127.0.0.1}}
                     server:
                       - name: tuned
                         type: tcp_stream
                         escaper: plain
                         proxy_pass: "127.0.0.1:%d"
                         listen: {address: "127.0.0.1:0", interface: lo, mss: 1200, fwmark: 0x2a, keepalive: 30s,
                                  instance: 1, scale: 2}
                     """.formatted(origin.getLocalPort()))) {
            int port = proxy.port("tuned");
            assertThat(proxy.listeners("tuned")).hasSize(2 * Runtime.getRuntime().availableProcessors());
            Process p = new ProcessBuilder("ss", "-tlnie", "( sport = :" + port + " )").redirectErrorStream(true).start();
            String listening = new String(p.getInputStream().readAllBytes());
            assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(listening).contains("127.0.0.1]%lo:" + port, "fwmark:0x2a"); // IPv4 on an IPv6 socket
            try (RawClient client = new RawClient(port); Socket upstream = accept(origin, client)) {
                String accepted = ss("sport = :" + port);
                assertThat(accepted).contains("timer:(keepalive,", "fwmark:0x2a", "advmss:1188");
            }
        }
    }

    /** The origin's side of a connection made through a proxy port, once a byte went through. */
    private static Socket accept(ServerSocket origin, RawClient client) throws Exception {
        client.send(new byte[] {1});
        origin.setSoTimeout(5000);
        Socket s = origin.accept();
        s.setSoTimeout(5000);
        assertThat(s.getInputStream().read()).isEqualTo(1);
        return s;
    }

    private static String ss(String filter) throws Exception {
        Process p = new ProcessBuilder("ss", "-tnieo", "state", "established", "( " + filter + " )")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }
}
