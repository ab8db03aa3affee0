package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.g3k.config.ConfigException;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.OriginsFixture;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * g3proxy's X-BD-* response headers as curl sees them: {@code server_id}, {@code http_forward_mark_upstream} and
 * {@code echo_chained_info} on forwarded responses and CONNECT replies, and through a chain of two g3k proxies,
 * where the proxy nearest the target sets the final ones and each appends its connection info.
 */
class CustomResponseHeadersTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: near, escaper: default, type: http_proxy, listen: "127.0.0.1:0", server_id: near-1,
                     http_forward_mark_upstream: true, echo_chained_info: true}
                  - {name: plain, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                  - {name: rproxy, escaper: default, type: http_rproxy, listen: "127.0.0.1:0", server_id: rp-1,
                     hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                """, "");
    @TempDir
    static Path dir;
    static RunningProxy far;

    /** A second g3k whose escaper is the first's "near" server: the client's side of the chain. */
    @BeforeAll
    static void startTheFarProxy() throws Exception {
        far = RunningProxy.start(dir, """
                escaper:
                  - {name: to_near, type: proxy_http, proxy_addr: "127.0.0.1:%d"}
                server:
                  - {name: far, escaper: to_near, type: http_proxy, listen: "127.0.0.1:0", server_id: far-2,
                     http_forward_mark_upstream: true, echo_chained_info: true}
                """.formatted(origins.proxy().port("near")));
    }

    @AfterAll
    static void stop() {
        if (far != null) {
            far.close();
        }
    }

    private static String origin() {
        return "http://127.0.0.1:" + origins.first().port() + "/x";
    }

    private static String headers(int proxyPort, String... extra) throws Exception {
        var args = new java.util.ArrayList<>(List.of("-s", "-D", "-", "-o", "/dev/null", "-x",
                "http://127.0.0.1:" + proxyPort));
        args.addAll(List.of(extra));
        args.add(origin());
        var r = Curl.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void aForwardedResponseNamesThisProxyAndItsConnection() throws Exception {
        String h = headers(origins.proxy().port("near"));
        String originAddr = "127.0.0.1:" + origins.first().port();
        assertThat(h).contains("X-BD-Upstream-Id: near-1\r\n", "X-BD-Upstream-Addr: " + originAddr + "\r\n",
                "X-BD-Outgoing-IP: 127.0.0.1\r\n");
        assertThat(h).containsPattern(Pattern.quote("X-BD-Remote-Connection-Info: near-1; local=127.0.0.1:")
                + "\\d+; remote=" + Pattern.quote(originAddr) + "\r\n");
    }

    @Test
    void withoutTheKeysNothingIsAdded() throws Exception {
        assertThat(headers(origins.proxy().port("plain"))).doesNotContainIgnoringCase("x-bd-");
    }

    @Test
    void aConnectReplyCarriesTheConnectionInfo() throws Exception {
        var r = Curl.run("-s", "-v", "-p", "-o", "/dev/null", "-x", "http://127.0.0.1:" + origins.proxy().port("near"),
                origin());
        assertThat(r.err()).contains("< HTTP/1.1 200 Connection established")
                .contains("< X-BD-Upstream-Addr: 127.0.0.1:" + origins.first().port())
                .containsPattern("< X-BD-Remote-Connection-Info: near-1; local=127\\.0\\.0\\.1:\\d+; remote=");
    }

    @Test
    void throughAChainTheNearestProxySetsTheFinalHeadersAndEachAppendsItsInfo() throws Exception {
        String h = headers(far.port("far"));
        assertThat(h).contains("X-BD-Upstream-Id: near-1\r\n").doesNotContain("X-BD-Upstream-Id: far-2");
        assertThat(h).contains("X-BD-Upstream-Addr: 127.0.0.1:" + origins.first().port() + "\r\n");
        int nearInfo = h.indexOf("X-BD-Remote-Connection-Info: near-1;");
        int farInfo = h.indexOf("X-BD-Remote-Connection-Info: far-2; local=127.0.0.1:");
        assertThat(nearInfo).as(h).isNotNegative();
        assertThat(farInfo).as("the far proxy appends after the near one: " + h).isGreaterThan(nearInfo);
        assertThat(h).contains("far-2; local=").contains("; remote=127.0.0.1:" + origins.proxy().port("near"));
    }

    @Test
    void aReverseProxyAddsOnlyItsConnectionInfo() throws Exception {
        var r = Curl.run("-s", "-D", "-", "-o", "/dev/null", "http://127.0.0.1:" + origins.proxy().port("rproxy") + "/x");
        assertThat(r.out()).contains("X-BD-Remote-Connection-Info: rp-1; local=").doesNotContain("X-BD-Upstream-Id");
    }

    @Test
    void aServerIdThatCannotGoIntoAHeaderIsRefused() throws Exception {
        Path bad = Files.createDirectories(dir.resolve("bad"));
        assertThatThrownBy(() -> RunningProxy.start(bad, Yaml.withServers("""
                  - {name: bad, escaper: default, type: http_proxy, server_id: "two words"}
                """))).isInstanceOf(ConfigException.class).hasMessageContaining("'bad' key 'server_id'")
                .hasMessageContaining("printable ASCII without spaces");
    }
}
