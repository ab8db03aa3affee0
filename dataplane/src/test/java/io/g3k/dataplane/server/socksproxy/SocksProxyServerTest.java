package io.g3k.dataplane.server.socksproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** socks_proxy with real curl: SOCKS4, 4a, 5 and 5 with remote resolution. */
class SocksProxyServerTest {
    @TempDir
    static Path dir;
    static TestOrigin origin;
    static RunningProxy proxy;

    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        proxy = RunningProxy.start(dir, Configs.proxies(true, "", ""));
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"socks4", "socks4a", "socks5", "socks5h"})
    void connectsWithEveryVersion(String scheme) throws Exception {
        var r = Curl.run("-x", scheme + "://127.0.0.1:" + proxy.port("socks"),
                "http://localhost:" + origin.port() + "/" + scheme);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /" + scheme + "\n");
    }

    @Test
    void refusesForbiddenTargetsWithRuleSetReply() throws Exception {
        Path other = Files.createDirectories(dir.resolve("strict"));
        int before = origin.requests.get();
        try (RunningProxy strict = RunningProxy.start(other, Configs.proxies(false, "", ""))) {
            var r = Curl.run("-x", "socks5h://127.0.0.1:" + strict.port("socks"),
                    "http://127.0.0.1:" + origin.port() + "/");
            assertThat(r.exit()).isEqualTo(97);
            assertThat(r.err()).contains("(2)"); // REP 02: connection not allowed by ruleset
            var v4 = Curl.run("-x", "socks4://127.0.0.1:" + strict.port("socks"),
                    "http://169.254.169.254/");
            assertThat(v4.exit()).isNotZero();
            assertThat(v4.err()).contains("91");
        }
        assertThat(origin.requests.get()).isEqualTo(before);
    }

    @Test
    void reportsRefusedConnections() throws Exception {
        var r = Curl.run("-x", "socks5h://127.0.0.1:" + proxy.port("socks"), "http://127.0.0.1:9/");
        assertThat(r.exit()).isEqualTo(97);
        assertThat(r.err()).contains("(5)"); // REP 05: connection refused
    }
}
