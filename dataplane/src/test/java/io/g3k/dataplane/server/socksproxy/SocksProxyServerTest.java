package io.g3k.dataplane.server.socksproxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.ProxyFixture;
import io.g3k.dataplane.support.RunningProxy;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** socks_proxy with real curl: SOCKS4, 4a, 5 and 5 with remote resolution. */
class SocksProxyServerTest {
    @RegisterExtension
    static final ProxyFixture fixture = new ProxyFixture(true, "", "");

    @ParameterizedTest
    @ValueSource(strings = {"socks4", "socks4a", "socks5", "socks5h"})
    void connectsWithEveryVersion(String scheme) throws Exception {
        var r = Curl.run("-x", scheme + "://127.0.0.1:" + fixture.proxy().port("socks"),
                "http://localhost:" + fixture.origin().port() + "/" + scheme);
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("hello /" + scheme + "\n");
    }

    @Test
    void refusesForbiddenTargetsWithRuleSetReply() throws Exception {
        Path other = fixture.dir("strict");
        int before = fixture.origin().requests.get();
        try (RunningProxy strict = RunningProxy.start(other, Configs.proxies(false, "", ""))) {
            var r = Curl.run("-x", "socks5h://127.0.0.1:" + strict.port("socks"),
                    "http://127.0.0.1:" + fixture.origin().port() + "/");
            assertThat(r.exit()).isEqualTo(97);
            assertThat(r.err()).contains("(2)"); // REP 02: connection not allowed by ruleset
            var v4 = Curl.run("-x", "socks4://127.0.0.1:" + strict.port("socks"),
                    "http://169.254.169.254/");
            assertThat(v4.exit()).isNotZero();
            assertThat(v4.err()).contains("91");
        }
        assertThat(fixture.origin().requests.get()).isEqualTo(before);
    }

    @Test
    void reportsRefusedConnections() throws Exception {
        var r = Curl.run("-x", "socks5h://127.0.0.1:" + fixture.proxy().port("socks"), "http://127.0.0.1:9/");
        assertThat(r.exit()).isEqualTo(97);
        assertThat(r.err()).contains("(5)"); // REP 05: connection refused
    }
}
