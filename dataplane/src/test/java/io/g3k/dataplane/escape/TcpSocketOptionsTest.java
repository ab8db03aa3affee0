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

    /**
     * A user's tcp_remote_keepalive / tcp_remote_misc_opts adjust the escaper's on that user's upstream sockets
     * (shorter idle time, smaller segment size, the user's mark) and tcp_client_misc_opts the server's on the client's.
     */
    @Test
    void aUsersOptionsAdjustTheEscapersAndTheServers() throws Exception {
        try (ServerSocket origin = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
             RunningProxy proxy = RunningProxy.start(dir, """
                     resolver:
                       - {name: default, type: c-ares, server: 127.0.0.1:9}
                     escaper:
                       - {name: tuned, type: direct_fixed, resolver: default,
                          egress_network_filter: {default: allow, allow: 127.0.0.1},
                          tcp_keepalive: {enable: true, idle_time: 60s}, tcp_misc_opts: {mss: 1300, mark: 0x2a}}
                     server:
                       - {name: http, type: http_proxy, escaper: tuned, user_group: users, listen: "127.0.0.1:0",
                          tcp_misc_opts: {mark: 7}}
                     user_group:
                       - name: users
                         static_users:
                           - name: bob
                             token: null
                             tcp_remote_keepalive: 20s
                             tcp_remote_misc_opts: {mss: 1400, mark: 0x33}
                             tcp_client_misc_opts: {mark: 0x44}
                           - {name: carol, token: null}
                     """)) {
            int port = origin.getLocalPort();
            try (RawClient bob = connect(proxy.port("http"), "bob", port);
                 Socket bobUpstream = accept(origin, bob);
                 RawClient carol = connect(proxy.port("http"), "carol", port);
                 Socket carolUpstream = accept(origin, carol)) {
                String bobOut = ss("dport = :" + port + " and sport = :" + bobUpstream.getPort());
                assertThat(bobOut).contains("fwmark:0x33", "advmss:1288").containsPattern("timer:\\(keepalive,(1?\\d|20)sec");
                String carolOut = ss("dport = :" + port + " and sport = :" + carolUpstream.getPort());
                assertThat(carolOut).contains("fwmark:0x2a", "advmss:1288", "timer:(keepalive,");
                assertThat(ss("sport = :" + proxy.port("http") + " and dport = :" + bob.socket().getLocalPort()))
                        .contains("fwmark:0x44");
                assertThat(ss("sport = :" + proxy.port("http") + " and dport = :" + carol.socket().getLocalPort()))
                        .contains("fwmark:0x7");
            }
        }
    }

    /** A CONNECT tunnel through the proxy as this user (any password: the users have no token). */
    private static RawClient connect(int proxyPort, String user, int targetPort) throws Exception {
        RawClient client = new RawClient(proxyPort);
        String auth = java.util.Base64.getEncoder().encodeToString((user + ":x").getBytes());
        client.send("CONNECT 127.0.0.1:" + targetPort + " HTTP/1.1\r\nHost: 127.0.0.1:" + targetPort
                + "\r\nProxy-Authorization: Basic " + auth + "\r\n\r\n");
        assertThat(client.readHead()).startsWith("HTTP/1.1 200");
        return client;
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
