package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.OriginsFixture;
import io.g3k.dataplane.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A user's own HTTP settings on an http_proxy: {@code http_upstream_keepalive} (adjusting the server's: kept only if
 * both keep it) and {@code http_rsp_header_recv_timeout} (the user's, or an explicit site's, over the server's).
 */
class UserHttpSettingsTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: http, escaper: default, type: http_proxy, listen: "127.0.0.1:0", user_group: g}
                """, """
                user_group:
                  - name: g
                    static_users:
                      - {name: plain, token: null}
                      - {name: no-reuse, token: null, http_upstream_keepalive: false}
                      - {name: impatient, token: null, http_rsp_header_recv_timeout: 1s}
                      - name: site-impatient
                        token: null
                        explicit_sites: [{id: origin, exact_match: 127.0.0.1, http_rsp_header_recv_timeout: 1s}]
                """);

    /** The origin-side port of the upstream connection that served one request of this user. */
    private static int upstreamPort(RawClient client, String user) throws Exception {
        String auth = Base64.getEncoder().encodeToString((user + ":x").getBytes(StandardCharsets.US_ASCII));
        return UpstreamKeepaliveTest.upstreamPort(client, origins.first().port(),
                "Proxy-Authorization: Basic " + auth + "\r\n");
    }

    @Test
    void aUserWithoutUpstreamKeepaliveGetsAConnectionPerRequest() throws Exception {
        try (RawClient client = new RawClient(origins.proxy().port("http"))) {
            int first = upstreamPort(client, "plain");
            assertThat(upstreamPort(client, "plain")).isEqualTo(first);
        }
        try (RawClient client = new RawClient(origins.proxy().port("http"))) {
            int first = upstreamPort(client, "no-reuse");
            assertThat(upstreamPort(client, "no-reuse")).isNotEqualTo(first);
        }
    }

    @Test
    void aUsersOrSitesResponseHeaderTimeoutIsTheirs() throws Exception {
        String slow = "http://127.0.0.1:" + origins.first().port() + "/slow";
        String proxy = "http://127.0.0.1:" + origins.proxy().port("http");
        for (String user : new String[] {"impatient", "site-impatient"}) {
            var r = Curl.run("-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}", "-x", proxy, "-U", user + ":x", slow);
            assertThat(r.out()).as(user).startsWith("504 ");
            assertThat(Double.parseDouble(r.out().split(" ")[1])).as(user).isLessThan(1.9);
        }
        var patient = Curl.run("-s", "-x", proxy, "-U", "plain:x", slow);
        assertThat(patient.out()).isEqualTo("slow\n");
    }
}
