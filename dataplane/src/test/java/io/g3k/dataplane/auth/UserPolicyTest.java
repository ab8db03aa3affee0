package io.g3k.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.config.ConfigLoader;
import io.g3k.dataplane.runtime.Daemon;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Per-user ACLs, limits, redirection, crypt tokens, dynamic users and user-site stats, with curl. */
class UserPolicyTest {
    static final String TOOR = "          salt: 4e8f8a4e37f0fa1b\n          md5: d9d963915b9815d4cc39c196c2868900\n"
            + "          sha1: c28640e7b1a3d9db98187632aeba99c0cff0ffd4";

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static TestOrigin other;
    static Daemon daemon;
    static String http;
    static String socks;
    static Path users;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        other = TestOrigin.http();
        users = Files.writeString(dir.resolve("users.json"), """
                [{"name": "dyn", "token": {"salt": "4e8f8a4e37f0fa1b", "md5": "d9d963915b9815d4cc39c196c2868900"}}]
                """);
        Path main = Files.writeString(dir.resolve("main.yml"), Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    user_group: users
                    listen: "127.0.0.1:0"
                    task_idle_check_interval: 2s
                  - name: socks
                    escaper: default
                    type: socks_proxy
                    user_group: users
                    listen: "127.0.0.1:0"
                """) + """
                user_group:
                  - name: users
                    refresh_interval: 200ms
                    source:
                      type: file
                      path: users.json
                    static_users:
                      - name: alice
                        token:
                %1$s
                        dst_port_filter: [%2$d]
                        dst_host_filter_set:
                          exact: [127.0.0.1]
                          child: [allowed.test]
                        explicit_sites:
                          - id: origin-site
                            exact_match: 127.0.0.1
                            emit_stats: true
                      - name: crypto
                        token: "$6$abcdefghijkl$X"
                      - name: limited
                        token:
                %1$s
                        request_max_alive: 1
                      - name: rate
                        token:
                %1$s
                        request_rate_limit: 2/m
                      - name: connrate
                        token:
                %1$s
                        connection_rate_limit: 2/m
                      - name: redirected
                        token:
                %1$s
                        resolve_redirection:
                          - exact: origin.test
                            to: 127.0.0.1
                      - name: expired
                        token:
                %1$s
                        expire: "2020-01-01T00:00:00Z"
                      - name: impatient
                        token:
                %1$s
                        task_idle_max_count: 1
                      - name: blocked
                        token:
                %1$s
                        block_and_delay: 600ms
                      - name: elsewhere
                        token:
                %1$s
                        ingress_network_filter: {forbid: [127.0.0.1]}
                      - name: tunnels
                        token:
                %1$s
                        proxy_request_filter: [HttpConnect]
                      - name: nocurl
                        token:
                %1$s
                        http_user_agent_filter: [curl, python-requests]
                """.formatted(TOOR, origin.port()));
        daemon = Daemon.start(ConfigLoader.load(main));
        http = "http://127.0.0.1:" + daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
        socks = "127.0.0.1:" + daemon.server("socks").orElseThrow().boundAddresses().getFirst().getPort();
    }

    @AfterAll
    static void stop() {
        daemon.close();
        origin.close();
        other.close();
    }

    static String status(String user, String url) throws Exception {
        return Curl.run("-x", http, "-U", user, "-o", "/dev/null", "-w", "%{http_code}", url).out();
    }

    /**
     * block_and_delay answers 403 only after its delay; ingress_network_filter checks the client's address;
     * proxy_request_filter lets only the listed kinds through (here CONNECT). None of the refused reaches the origin.
     */
    @Test
    void blockedUsersClientFiltersAndRequestKinds() throws Exception {
        int before = origin.requests.get();
        String url = "http://127.0.0.1:" + origin.port() + "/x";
        long start = System.nanoTime();
        assertThat(status("blocked:toor", url)).isEqualTo("403");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(550));
        assertThat(status("elsewhere:toor", url)).isEqualTo("403");
        assertThat(status("tunnels:toor", url)).isEqualTo("403");
        assertThat(origin.requests.get()).isEqualTo(before);
        var tunnel = Curl.run("-x", http, "-U", "tunnels:toor", "-p", url);
        assertThat(tunnel.out()).as(tunnel.err()).isEqualTo("hello /x\n");
        assertThat(Curl.run("-x", "socks5h://tunnels:toor@" + socks, url).exit()).isEqualTo(97);
    }

    /**
     * http_user_agent_filter: the clients it names get 403 on forwarded requests and reach nothing, counted as
     * user.forbidden.ua_blocked; another User-Agent passes, and so does a CONNECT tunnel (layer 7 only, as g3proxy).
     */
    @Test
    void userAgentsAUserMayNotForwardFrom() throws Exception {
        int before = origin.requests.get();
        String url = "http://127.0.0.1:" + origin.port() + "/ua";
        var curl = Curl.run("-x", http, "-U", "nocurl:toor", "-w", "\n%{http_code}", url);
        assertThat(curl.out()).contains("user agent not allowed").endsWith("403");
        assertThat(Curl.run("-x", http, "-U", "nocurl:toor", "-A", "python-requests/2.31.0",
                "-o", "/dev/null", "-w", "%{http_code}", url).out()).isEqualTo("403");
        assertThat(origin.requests.get()).isEqualTo(before);
        assertThat(Curl.run("-x", http, "-U", "nocurl:toor", "-A", "libcurl-agent/1.0", url).out())
                .isEqualTo("hello /ua\n");
        assertThat(Curl.run("-x", http, "-U", "nocurl:toor", "-p", url).out()).isEqualTo("hello /ua\n");
        assertThat(new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8))
                .containsPattern("g3proxy_user_forbidden_ua_blocked_total\\{[^}]*user=\"nocurl\"[^}]*} 2");
    }

    @Test
    void destinationFiltersApplyPerUser() throws Exception {
        assertThat(status("alice:toor", "http://127.0.0.1:" + origin.port() + "/ok")).isEqualTo("200");
        assertThat(status("alice:toor", "http://127.0.0.1:" + other.port() + "/port")).isEqualTo("403");
        assertThat(status("alice:toor", "http://localhost:" + origin.port() + "/host")).isEqualTo("403");
        var socksDenied = Curl.run("-x", "socks5h://alice:toor@" + socks, "http://127.0.0.1:" + other.port() + "/");
        assertThat(socksDenied.exit()).isEqualTo(97);
        assertThat(socksDenied.err()).contains("(2)");
        assertThat(Curl.run("-x", "socks5h://alice:toor@" + socks, "http://127.0.0.1:" + origin.port() + "/s").out())
                .isEqualTo("hello /s\n");
    }

    @Test
    void explicitSitesGetTheirOwnStats() throws Exception {
        assertThat(status("alice:toor", "http://127.0.0.1:" + origin.port() + "/site")).isEqualTo("200");
        String metrics = new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8);
        String alice = "user=\"alice\",user_group=\"users\",user_type=\"Static\"}";
        assertThat(metrics)
                .contains("g3proxy_user_site_request_total{daemon_group=\"g3k\",request=\"http_forward\",server=\"http\","
                        + "site=\"origin-site\"," + alice)
                .contains("g3proxy_user_site_upstream_traffic_in_bytes_total{daemon_group=\"g3k\",escaper=\"default\","
                        + "site=\"origin-site\",transport=\"tcp\"," + alice)
                .contains("g3proxy_user_request_ready_total{daemon_group=\"g3k\",request=\"http_forward\","
                        + "server=\"http\"," + alice)
                .contains("g3proxy_user_connection_total{connection=\"http\",daemon_group=\"g3k\",server=\"http\","
                        + alice)
                .contains("g3proxy_user_traffic_out_bytes_total{daemon_group=\"g3k\",request=\"http_forward\","
                        + "server=\"http\"," + alice);
        // a wrong password for a known user counts against that user
        assertThat(status("alice:wrong", "http://127.0.0.1:" + origin.port() + "/site")).isEqualTo("407");
        metrics = new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8);
        assertThat(metrics)
                .contains("g3proxy_user_forbidden_dest_denied_total{daemon_group=\"g3k\",server=\"http\"," + alice)
                .contains("g3proxy_user_forbidden_auth_failed_total{daemon_group=\"g3k\",server=\"http\"," + alice + " 1");
    }

    @Test
    void cryptTokensAuthenticate() throws Exception {
        String hash = Crypt.crypt("s3cret", "$6$abcdefghijkl");
        Path main = dir.resolve("crypt.yml");
        Files.writeString(main, Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    user_group: g
                    listen: "127.0.0.1:0"
                """) + "user_group:\n  - name: g\n    static_users:\n      - name: c\n        token: \"" + hash + "\"\n");
        try (Daemon d = Daemon.start(ConfigLoader.load(main))) {
            String proxy = "http://127.0.0.1:" + d.server("http").orElseThrow().boundAddresses().getFirst().getPort();
            String url = "http://127.0.0.1:" + origin.port() + "/crypt";
            assertThat(Curl.run("-x", proxy, "-U", "c:s3cret", url).out()).isEqualTo("hello /crypt\n");
            assertThat(Curl.run("-x", proxy, "-U", "c:wrong", "-o", "/dev/null", "-w", "%{http_code}", url).out())
                    .isEqualTo("407");
        }
    }

    @Test
    void concurrencyAndRateLimitsAnswer429() throws Exception {
        String url = "http://127.0.0.1:" + origin.port() + "/limit";
        try (RawClient tunnel = new RawClient(Integer.parseInt(http.substring(http.lastIndexOf(':') + 1)))) {
            String auth = java.util.Base64.getEncoder().encodeToString("limited:toor".getBytes(StandardCharsets.UTF_8));
            tunnel.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic "
                    + auth + "\r\n\r\n");
            assertThat(new String(tunnel.readExactly(12), StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
            assertThat(status("limited:toor", url)).isEqualTo("429");
        }
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> status("limited:toor", url).equals("200"));
        assertThat(status("rate:toor", url)).isEqualTo("200");
        assertThat(status("rate:toor", url)).isEqualTo("200");
        assertThat(status("rate:toor", url)).isEqualTo("429");
    }

    /**
     * connection_rate_limit (old name tcp_conn_rate_limit): the user's third connection in a minute gets 429 and
     * reaches nothing, SOCKS5 too (refused as not allowed); the first two were served.
     */
    @Test
    void aUsersConnectionRateLimitRefusesTheConnectionsBeyondIt() throws Exception {
        String url = "http://127.0.0.1:" + origin.port() + "/conn-rate";
        assertThat(status("connrate:toor", url)).isEqualTo("200");
        assertThat(status("connrate:toor", url)).isEqualTo("200");
        int before = origin.requests.get();
        assertThat(status("connrate:toor", url)).isEqualTo("429");
        var socks5 = Curl.run("-x", "socks5://connrate:toor@" + socks, url);
        assertThat(socks5.exit()).as(socks5.err()).isEqualTo(97); // curl: the proxy refused the connection
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    /** The server checks every 2 s and would wait 5 idle rounds; this user's task_idle_max_count of 1 wins. */
    @Test
    void aUsersOwnIdleCountClosesItsSilentTunnelSooner() throws Exception {
        try (RawClient tunnel = new RawClient(Integer.parseInt(http.substring(http.lastIndexOf(':') + 1)))) {
            String auth = java.util.Base64.getEncoder().encodeToString("impatient:toor".getBytes(StandardCharsets.UTF_8));
            tunnel.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\nProxy-Authorization: Basic "
                    + auth + "\r\n\r\n");
            String established = "HTTP/1.1 200 Connection established\r\n\r\n";
            assertThat(new String(tunnel.readExactly(established.length()), StandardCharsets.US_ASCII))
                    .isEqualTo(established);
            long start = System.nanoTime();
            assertThat(tunnel.readUntilClosed()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(1500), Duration.ofMillis(4500));
        }
    }

    @Test
    void resolveRedirectionAndExpiry() throws Exception {
        assertThat(status("redirected:toor", "http://origin.test:" + origin.port() + "/r")).isEqualTo("200");
        assertThat(status("expired:toor", "http://127.0.0.1:" + origin.port() + "/e")).isEqualTo("407");
    }

    @Test
    void dynamicUsersFollowTheSourceFile() throws Exception {
        String url = "http://127.0.0.1:" + origin.port() + "/dyn";
        assertThat(status("dyn:toor", url)).isEqualTo("200");
        Files.writeString(users, "[{\"name\": \"dyn2\", \"token\": null}]");
        Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> status("dyn:toor", url).equals("407"));
        assertThat(status("dyn2:anything", url)).isEqualTo("200");
        Files.writeString(users, "[{\"name\": broken");
        Thread.sleep(600);
        assertThat(status("dyn2:anything", url)).as("a broken file keeps the users loaded before").isEqualTo("200");
    }
}
