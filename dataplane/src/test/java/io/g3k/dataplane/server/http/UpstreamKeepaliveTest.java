package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.OriginsFixture;
import io.g3k.dataplane.support.RawClient;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code http_forward_upstream_keepalive}: which upstream connection (by its port, as the origin sees it) serves each
 * request a client sends on one connection through http_proxy.
 */
class UpstreamKeepaliveTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: default, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                  - {name: short, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     http_forward_upstream_keepalive: {idle_expire: 1s}}
                  - {name: no-reuse, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     http_forward_upstream_keepalive: false}
                """, "");

    private static int upstreamPort(RawClient client) throws Exception {
        return upstreamPort(client, origins.first().port(), "");
    }

    /**
     * The origin-side port of the upstream connection that served one request (the origin's {@code /peer-port}),
     * sent with these extra header lines.
     */
    static int upstreamPort(RawClient client, int originPort, String headerLines) throws Exception {
        client.send("GET http://127.0.0.1:" + originPort + "/peer-port HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headerLines
                + "\r\n");
        String head = client.readHead();
        int length = Integer.parseInt(head.replaceAll("(?is).*content-length: *(\\d+).*", "$1"));
        return Integer.parseInt(new String(client.readExactly(length), StandardCharsets.US_ASCII));
    }

    @Test
    void anUpstreamConnectionServesTheNextRequestUntilItsIdleExpire() throws Exception {
        try (RawClient client = new RawClient(origins.proxy().port("short"))) {
            int first = upstreamPort(client);
            assertThat(upstreamPort(client)).isEqualTo(first);
            Thread.sleep(1600);
            assertThat(upstreamPort(client)).as("idle past idle_expire: a new connection").isNotEqualTo(first);
        }
        try (RawClient client = new RawClient(origins.proxy().port("default"))) {
            int first = upstreamPort(client);
            Thread.sleep(1600);
            assertThat(upstreamPort(client)).as("default: 60 s").isEqualTo(first);
        }
    }

    @Test
    void turnedOffEveryRequestGetsAConnectionOfItsOwn() throws Exception {
        try (RawClient client = new RawClient(origins.proxy().port("no-reuse"))) {
            int first = upstreamPort(client);
            assertThat(upstreamPort(client)).isNotEqualTo(first);
        }
    }
}
