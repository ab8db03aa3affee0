package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.OriginsFixture;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request headers as the origin sees them, through curl: http_rproxy's {@code append_forwarded_for} (classic by
 * default, as g3proxy), http_proxy's {@code steal_forwarded_for} and {@code drop_default_port_in_host}.
 */
class UpstreamHeadersTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: rproxy, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                  - {name: rproxy-standard, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     append_forwarded_for: rfc7239, hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                  - {name: rproxy-none, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     append_forwarded_for: false, hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                  - {name: forward, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                  - {name: forward-steal, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     steal_forwarded_for: true}
                  - {name: forward-drop, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     drop_default_port_in_host: true}
                """, "");

    private String headersVia(String server, String... curlArgs) throws Exception {
        int port = origins.proxy().port(server);
        String origin = "http://127.0.0.1:" + origins.first().port() + "/headers";
        var args = new ArrayList<>(List.of(curlArgs));
        if (server.startsWith("forward")) {
            args.addAll(List.of("-x", "http://127.0.0.1:" + port, origin));
        } else {
            args.add("http://127.0.0.1:" + port + "/headers");
        }
        var r = Curl.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isZero();
        return r.out();
    }

    @Test
    void aReverseProxyAddsTheClientToXForwardedForByDefault() throws Exception {
        assertThat(headersVia("rproxy")).contains("x-forwarded-for: 127.0.0.1\n").doesNotContain("forwarded: ");
        assertThat(headersVia("rproxy", "-H", "X-Forwarded-For: 192.0.2.7"))
                .contains("x-forwarded-for: 192.0.2.7, 127.0.0.1\n");
    }

    @Test
    void theStandardFormNamesClientAndProxyWithTheirPorts() throws Exception {
        int port = origins.proxy().port("rproxy-standard");
        assertThat(headersVia("rproxy-standard"))
                .containsPattern("\nforwarded: for=\"127\\.0\\.0\\.1:\\d+\";by=\"127\\.0\\.0\\.1:" + port + "\"\n")
                .doesNotContain("x-forwarded-for");
    }

    @Test
    void noneAddsNothing() throws Exception {
        assertThat(headersVia("rproxy-none", "-H", "X-Forwarded-For: 192.0.2.7"))
                .contains("x-forwarded-for: 192.0.2.7\n").doesNotContain("forwarded: ");
    }

    @Test
    void aForwardProxyPassesTheClientsHeadersUnlessItStealsThem() throws Exception {
        String[] sent = {"-H", "X-Forwarded-For: 192.0.2.7", "-H", "Forwarded: for=192.0.2.7", "-H", "X-Kept: yes"};
        assertThat(headersVia("forward", sent)).contains("x-forwarded-for: 192.0.2.7\n", "forwarded: for=192.0.2.7\n");
        assertThat(headersVia("forward-steal", sent)).contains("x-kept: yes")
                .doesNotContain("x-forwarded-for").doesNotContain("forwarded:");
    }

    @Test
    void dropDefaultPortInHostSendsTheHostWithoutPort80() throws Exception {
        assertThat(headersVia("forward", "-H", "Host: www.example:80")).contains("\nhost: www.example:80\n");
        assertThat(headersVia("forward-drop", "-H", "Host: www.example:80")).contains("\nhost: www.example\n");
        assertThat(headersVia("forward-drop", "-H", "Host: www.example:8080")).contains("\nhost: www.example:8080\n");
    }
}
