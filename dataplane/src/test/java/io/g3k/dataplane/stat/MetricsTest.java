package io.g3k.dataplane.stat;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.control.ControlServer;
import io.g3k.dataplane.runtime.Controller;
import io.g3k.dataplane.runtime.Daemon;
import io.g3k.config.ConfigLoader;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** StatsD lines (UDP and Unix datagram targets) and the Prometheus endpoint, after real traffic. */
class MetricsTest {
    @TempDir
    Path dir;

    static String servers() {
        return Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                """);
    }

    /** What the StatsD socket receives until every marker has been seen (5 s at most); datagrams stay in size. */
    static String receiveUntil(DatagramSocket statsd, String... markers) throws Exception {
        StringBuilder received = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!java.util.Arrays.stream(markers).allMatch(received.toString()::contains) && System.nanoTime() < deadline) {
            DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
            statsd.receive(p);
            assertThat(p.getLength()).isLessThanOrEqualTo(1400);
            received.append(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
        }
        return received.toString();
    }

    @Test
    void emitsG3proxyStatsdLinesOverUdp() throws Exception {
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TestOrigin origin = TestOrigin.http()) {
            statsd.setSoTimeout(3000);
            Path main = Files.writeString(dir.resolve("main.yml"), """
                    stat:
                      target:
                        udp: 127.0.0.1:%d
                      prefix: g3proxy
                      emit_duration: 50ms
                    """.formatted(statsd.getLocalPort()) + servers());
            try (Daemon daemon = Daemon.start(ConfigLoader.load(main), "metrics-test")) {
                int port = daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
                assertThat(Curl.run("-x", "http://127.0.0.1:" + port, "http://localhost:" + origin.port() + "/m").out())
                        .isEqualTo("hello /m\n");
                // lines come in several datagrams, and counters in the emit after the request
                String received = receiveUntil(statsd, "server.traffic.out.bytes", "escaper.traffic.in.bytes",
                        "resolver.memory.cache.length");
                String tags = "|#daemon_group:metrics-test,stat_id:" + ProcessHandle.current().pid();
                assertThat(received)
                        .contains("g3proxy.server.task.total:1|c" + tags + ",server:http,online:y")
                        .contains("g3proxy.server.connection.total:1|c")
                        .contains("g3proxy.server.traffic.out.bytes:9|c" + tags + ",server:http,transport:tcp")
                        .contains("g3proxy.listen.accepted:1|c" + tags + ",server:http,online:y")
                        .contains("g3proxy.listen.instance.count:1|g" + tags + ",server:http,online:y")
                        .contains("g3proxy.escaper.task.total:1|c" + tags + ",escaper:default")
                        .contains("g3proxy.escaper.connection.establish:1|c")
                        .contains("g3proxy.escaper.tcp.connect.attempt:1|c")
                        .contains("g3proxy.escaper.tcp.connect.success:1|c")
                        .contains("g3proxy.escaper.traffic.in.bytes:")
                        .contains("g3proxy.resolver.query.total:1|c" + tags + ",resolver:default,rr_type:")
                        .contains("g3proxy.resolver.memory.cache.length:")
                        .contains("g3proxy.server.task.alive:");
            }
        }
    }

    /** stat bind_ip and max_segment_size: the datagrams come from that address, none larger than that. */
    @Test
    void datagramsComeFromBindIpAndStayWithinMaxSegmentSize() throws Exception {
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            statsd.setSoTimeout(3000);
            Path main = Files.writeString(dir.resolve("main.yml"), """
                    stat: {target: {udp: 127.0.0.1:%d}, bind_ip: 127.0.0.2, max_segment_size: 600, emit_interval: 50ms}
                    """.formatted(statsd.getLocalPort()) + servers());
            try (Daemon daemon = Daemon.start(ConfigLoader.load(main), "metrics-bind")) {
                int datagrams = 0;
                for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2); System.nanoTime() < end; datagrams++) {
                    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
                    statsd.receive(p);
                    assertThat(p.getAddress().getHostAddress()).isEqualTo("127.0.0.2");
                    assertThat(p.getLength()).isLessThanOrEqualTo(600);
                }
                assertThat(datagrams).as("an emit's lines over several datagrams").isGreaterThan(3);
            }
        }
    }

    /** User families carry user_type and request / connection tags; an explicit site's id goes into the name. */
    @Test
    void emitsUserAndSiteMetricsWithG3proxyNamesAndTags() throws Exception {
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TestOrigin origin = TestOrigin.http()) {
            statsd.setSoTimeout(3000);
            Path main = Files.writeString(dir.resolve("users.yml"), """
                    stat: {target: {udp: 127.0.0.1:%d}, prefix: g3proxy, emit_interval: 50ms}
                    """.formatted(statsd.getLocalPort()) + io.g3k.dataplane.support.Configs.USER_GROUP
                    .replace("      - name: root\n", """
                                  - name: root
                                    explicit_sites:
                                      - {id: origin, exact_match: 127.0.0.1, emit_stats: true}
                            """) + Yaml.withServers("""
                      - name: http
                        escaper: default
                        type: http_proxy
                        user_group: users
                        listen: "127.0.0.1:0"
                    """));
            try (Daemon daemon = Daemon.start(ConfigLoader.load(main), "users-test")) {
                int port = daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
                assertThat(Curl.run("-x", "http://127.0.0.1:" + port, "-U", "root:toor",
                        "http://127.0.0.1:" + origin.port() + "/u").out()).isEqualTo("hello /u\n");
                String received = receiveUntil(statsd, "user.site.origin.upstream.traffic.in.bytes");
                String root = "user_group:users,user:root,user_type:Static";
                assertThat(received)
                        .contains("g3proxy.user.request.total:1|c|#daemon_group:users-test,stat_id:"
                                + ProcessHandle.current().pid() + "," + root + ",server:http,request:http_forward\n")
                        .contains("g3proxy.user.connection.total:1|c|")
                        .contains(root + ",server:http,connection:http\n")
                        .contains("g3proxy.user.site.origin.request.total:1|c|")
                        .contains("g3proxy.user.upstream.traffic.in.bytes:9|c|")
                        .contains(root + ",escaper:default,transport:tcp\n")
                        .doesNotContain("site:origin");
            }
        }
    }

    @Test
    void emitsToAUnixDatagramSocket() throws Exception {
        Path socket = dir.resolve("statsd.sock");
        Process receiver = new ProcessBuilder("python3", "-c", """
                import socket, sys
                s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                s.bind(sys.argv[1])
                s.settimeout(10)
                print(s.recv(65536).decode())
                """, socket.toString()).start();
        for (int i = 0; i < 100 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        Path main = Files.writeString(dir.resolve("main.yml"), """
                stat:
                  target_unix: %s
                  prefix: unixtest
                  emit_interval: 50ms
                """.formatted(socket) + servers());
        try (Daemon daemon = Daemon.start(ConfigLoader.load(main))) {
            String first = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(first).contains("unixtest.server.task.alive:0|g|#daemon_group:g3k");
        } finally {
            receiver.destroy();
        }
        // the emitter's own bound socket file goes with it
        Path source = Path.of(System.getProperty("java.io.tmpdir"), "g3k-statsd-" + ProcessHandle.current().pid() + ".sock");
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(5)).until(() -> !Files.exists(source));
    }

    @Test
    void servesPrometheusMetricsAndGuardsTheControlAddress() throws Exception {
        try (TestOrigin origin = TestOrigin.http()) {
            Path main = Files.writeString(dir.resolve("main.yml"), servers());
            try (Daemon daemon = Daemon.start(ConfigLoader.load(main))) {
                Controller controller = new Controller(daemon, main);
                try (ControlServer control = ControlServer.start(controller, dir.resolve("ctl/p.sock"),
                        Optional.of(new InetSocketAddress("127.0.0.1", 0)), Optional.of("s3cret"))) {
                    int port = daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
                    Curl.run("-x", "http://127.0.0.1:" + port, "http://127.0.0.1:" + origin.port() + "/p");
                    String admin = "http://127.0.0.1:" + control.tcpAddresses().getFirst().getPort();
                    String metrics = Curl.run(admin + "/metrics").out();
                    assertThat(metrics)
                            .contains("g3proxy_server_task_total{daemon_group=\"g3k\",server=\"http\"} 1")
                            .contains("g3proxy_server_traffic_out_bytes_total{daemon_group=\"g3k\",server=\"http\",transport=\"tcp\"} 9")
                            .contains("g3proxy_listen_accepted_total{daemon_group=\"g3k\",server=\"http\"} 1")
                            .contains("g3proxy_escaper_connection_establish_total{daemon_group=\"g3k\",escaper=\"default\"} 1")
                            .contains("# TYPE g3proxy_server_task_alive gauge");
                    assertThat(Curl.run("-o", "/dev/null", "-w", "%{http_code}", admin + "/list/servers").out())
                            .isEqualTo("401");
                    assertThat(Curl.run("-H", "Authorization: Bearer wrong", "-o", "/dev/null", "-w", "%{http_code}",
                            admin + "/list/servers").out()).isEqualTo("401");
                    assertThat(Curl.run("-H", "Authorization: Bearer s3cret", admin + "/list/servers").out())
                            .contains("\"http\"");
                }
            }
        }
    }

    /** A server's and an escaper's extra_metrics_tags, on StatsD lines and Prometheus labels, and after a reload. */
    @Test
    void extraMetricsTagsGoOnEveryLineOfTheirServerAndEscaper() throws Exception {
        try (DatagramSocket statsd = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TestOrigin origin = TestOrigin.http()) {
            statsd.setSoTimeout(3000);
            String config = """
                    stat: {target: {udp: 127.0.0.1:%d}, prefix: g3proxy, emit_interval: 50ms}
                    """.formatted(statsd.getLocalPort()) + Yaml.resolverAndEscaper(true)
                    + "    extra_metrics_tags: {pool: egress-a}\n" + """
                    server:
                      - {name: http, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                         extra_metrics_tags: {team: %s, cost.center: "42"}}
                      - {name: plain, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                    """;
            Path main = Files.writeString(dir.resolve("tags.yml"), config.formatted("platform"));
            try (Daemon daemon = Daemon.start(ConfigLoader.load(main), "tags-test")) {
                int port = daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
                assertThat(Curl.run("-x", "http://127.0.0.1:" + port, "http://127.0.0.1:" + origin.port() + "/t").out())
                        .isEqualTo("hello /t\n");
                String received = receiveUntil(statsd, "server.traffic.out.bytes", "escaper.traffic.in.bytes");
                assertThat(received)
                        .contains("g3proxy.server.task.total:1|c|#daemon_group:tags-test,stat_id:"
                                + ProcessHandle.current().pid() + ",server:http,team:platform,cost.center:42,online:y\n")
                        .contains(",server:http,transport:tcp,team:platform,cost.center:42\n")
                        .contains(",escaper:default,pool:egress-a\n")
                        .contains(",server:plain,online:y\n")
                        .doesNotContain("server:plain,team");
                String metrics = new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8);
                assertThat(metrics)
                        .contains("g3proxy_server_task_total{cost_center=\"42\",daemon_group=\"tags-test\",server=\"http\",team=\"platform\"} 1")
                        // a server without them has them empty: Prometheus takes an empty label for none
                        .contains("g3proxy_server_task_total{cost_center=\"\",daemon_group=\"tags-test\",server=\"plain\",team=\"\"} 0")
                        .contains("g3proxy_escaper_task_total{daemon_group=\"tags-test\",escaper=\"default\",pool=\"egress-a\"} 1");

                daemon.reload(ConfigLoader.load(Files.writeString(main, config.formatted("edge"))));
                assertThat(new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8))
                        .contains("g3proxy_server_task_total{cost_center=\"42\",daemon_group=\"tags-test\",server=\"http\",team=\"edge\"} 1");
            }
        }
    }
}
