package io.g3k.dataplane.control;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.config.ConfigLoader;
import io.g3k.dataplane.runtime.Controller;
import io.g3k.dataplane.runtime.Daemon;
import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The control interface over its Unix socket, and what reloads keep, replace and refuse. */
class ControlAndReloadTest {
    @TempDir
    Path dir;
    TestOrigin origin;
    Daemon daemon;
    Controller controller;
    ControlServer control;
    ControlClient client;
    Path main;
    int httpPort;

    String config(String httpExtra, String extraServers) {
        return Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:0"
                %s%s""".formatted(httpExtra, extraServers)) + Configs.USER_GROUP;
    }

    @BeforeEach
    void start() throws Exception {
        origin = TestOrigin.http();
        main = Files.writeString(dir.resolve("main.yml"), config("", ""));
        daemon = Daemon.start(ConfigLoader.load(main));
        // bound by the kernel's choice, not a probed port someone else may take first; reloads keep the socket
        httpPort = daemon.server("http").orElseThrow().boundAddresses().getFirst().getPort();
        controller = new Controller(daemon, main);
        Path socket = dir.resolve("ctl/test_1.sock");
        control = ControlServer.start(controller, socket, Optional.empty(), Optional.empty());
        client = new ControlClient(UnixDomainSocketAddress.of(socket), Optional.empty());
    }

    @AfterEach
    void stop() {
        control.close();
        daemon.close();
        origin.close();
    }

    String get(String path) throws Exception {
        var r = client.call("GET", path, new byte[0]);
        assertThat(r.status()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    String viaProxy(String path) throws Exception {
        return Curl.run("-x", "http://127.0.0.1:" + httpPort, "-o", "/dev/null", "-w", "%{http_code}",
                "http://127.0.0.1:" + origin.port() + path).out();
    }

    @Test
    void answersVersionListsAndStatus() throws Exception {
        assertThat(get("/version")).contains("\"pid\"");
        assertThat(get("/list/servers")).contains("\"http\"");
        assertThat(get("/list/user-groups")).contains("\"users\"");
        assertThat(get("/servers/http/status")).contains("\"online\" : true").contains(String.valueOf(httpPort));
        assertThat(get("/resolvers/default/query?domain=localhost")).contains("127.0.0.1");
        assertThat(client.call("GET", "/nope", new byte[0]).status()).isEqualTo(404);
        assertThat(client.call("GET", "/reload", new byte[0]).status()).isEqualTo(405);
    }

    @Test
    void reloadAppliesChangesOnTheSamePortAndKeepsTunnels() throws Exception {
        assertThat(viaProxy("/before")).isEqualTo("200");
        try (RawClient tunnel = new RawClient(httpPort)) {
            tunnel.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(new String(tunnel.readExactly(39), StandardCharsets.ISO_8859_1))
                    .startsWith("HTTP/1.1 200 Connection established");
            Files.writeString(main, config("    user_group: users\n", ""));
            var reload = client.call("POST", "/reload", new byte[0]);
            assertThat(reload.body()).contains("(re)started [http]");
            // same port, new behaviour: authentication is now required
            assertThat(viaProxy("/after")).isEqualTo("407");
            // the tunnel opened before the reload still works
            tunnel.send("GET /tunnel HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(tunnel.readUntilClosed()).endsWith("hello /tunnel\n");
        }
    }

    @Test
    void aBadConfigIsRefusedAndTheRunningOneStays() throws Exception {
        Files.writeString(main, config("    lisen: 1\n", ""));
        var reload = client.call("POST", "/reload", new byte[0]);
        assertThat(reload.status()).isEqualTo(400);
        assertThat(reload.body()).contains("unknown or unsupported key 'lisen'");
        assertThat(viaProxy("/still")).isEqualTo("200");
        // a config that loads but cannot bind is refused as a whole, too
        int taken = httpPort;
        Files.writeString(main, config("", """
                  - name: clash
                    escaper: default
                    type: socks_proxy
                    listen: "127.0.0.1:%d"
                """.formatted(taken).replace("127.0.0.1:" + taken, "1.2.3.4:" + taken)));
        assertThat(client.call("POST", "/reload", new byte[0]).status()).isEqualTo(400);
        assertThat(get("/list/servers")).doesNotContain("clash");
        assertThat(viaProxy("/still-after-bind-failure")).isEqualTo("200");
    }

    @Test
    void serversCanBeAddedAndRemoved() throws Exception {
        Files.writeString(main, config("", """
                  - name: socks
                    escaper: default
                    type: socks_proxy
                    listen: "127.0.0.1:0"
                """));
        assertThat(client.call("POST", "/reload", new byte[0]).body()).contains("(re)started [socks]");
        int socks = daemon.server("socks").orElseThrow().boundAddresses().getFirst().getPort();
        assertThat(Curl.run("-x", "socks5h://127.0.0.1:" + socks, "http://127.0.0.1:" + origin.port() + "/s").out())
                .isEqualTo("hello /s\n");
        Files.writeString(main, config("", ""));
        assertThat(client.call("POST", "/reload", new byte[0]).body()).contains("removed [socks]");
        assertThat(Curl.run("-x", "socks5h://127.0.0.1:" + socks, "http://127.0.0.1:" + origin.port() + "/s").exit())
                .isNotZero();
    }

    @Test
    void aPushedConfigIsValidatedThenApplied() throws Exception {
        var bad = client.call("PUT", "/config", "server: [".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("invalid YAML");
        assertThat(viaProxy("/unchanged")).isEqualTo("200");
        var good = client.call("PUT", "/config", config("    user_group: users\n", "").getBytes(StandardCharsets.UTF_8));
        assertThat(good.status()).as(good.body()).isEqualTo(200);
        assertThat(viaProxy("/pushed")).isEqualTo("407");
        assertThat(dir.resolve("g3k-pushed.yml")).exists();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith(".g3k-push-"));
        }
    }

    @Test
    void publishesDynamicUsers() throws Exception {
        assertThat(get("/user-groups/users/static-users")).contains("\"root\"");
        assertThat(get("/user-groups/users/dynamic-users")).doesNotContain("\"");
        var bad = client.call("POST", "/user-groups/users/publish", "[{\"name\": 1, \"tokn\": 2}]".getBytes());
        assertThat(bad.status()).isEqualTo(400);
        var ok = client.call("POST", "/user-groups/users/publish",
                "[{\"name\": \"pub\", \"token\": null}]".getBytes(StandardCharsets.UTF_8));
        assertThat(ok.body()).contains("1 dynamic users");
        assertThat(get("/user-groups/users/dynamic-users")).contains("\"pub\"");
        assertThat(CtlCommand.route(java.util.List.of("user-group", "users", "publish-user", "u.json")))
                .containsExactly("POST", "/user-groups/users/publish", "u.json");
        assertThat(CtlCommand.route(java.util.List.of("escaper", "out", "publish", "{}")))
                .containsExactly("POST", "/escapers/out/publish", "inline:{}");
        assertThat(client.call("POST", "/escapers/default/publish", "{}".getBytes()).body())
                .contains("does not take published data");
    }

    @Test
    void offlineStopsAcceptingButKeepsServingTunnels() throws Exception {
        try (RawClient tunnel = new RawClient(httpPort)) {
            tunnel.send("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: x\r\n\r\n");
            tunnel.readExactly(39);
            assertThat(client.call("POST", "/offline", new byte[0]).body()).contains("\"alive_tasks\" : 1");
            assertThat(client.call("GET", "/healthz", new byte[0]).status()).isEqualTo(503);
            assertThat(viaProxy("/refused")).isEqualTo("000");
            tunnel.send("GET /draining HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            assertThat(tunnel.readUntilClosed()).endsWith("hello /draining\n");
        }
    }
}
