package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.OriginsFixture;
import io.g3k.dataplane.support.RawClient;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code http_forward_upstream_keepalive}: which upstream connection (by its port, as the origin sees it) serves each
 * request a client sends on one connection through http_proxy, and, through http_rproxy, the next client's.
 */
class UpstreamKeepaliveTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: default, escaper: default, type: http_proxy, listen: "127.0.0.1:0"}
                  - {name: short, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     http_forward_upstream_keepalive: {idle_expire: 1s}}
                  - {name: no-reuse, escaper: default, type: http_proxy, listen: "127.0.0.1:0",
                     http_forward_upstream_keepalive: false}
                  - {name: rproxy, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                """, "");

    private static int upstreamPort(RawClient client) throws Exception {
        return upstreamPort(client, origins.first().port(), "");
    }

    /**
     * The origin-side port of the upstream connection that served one request (the origin's {@code /peer-port}),
     * sent with these extra header lines.
     */
    static int upstreamPort(RawClient client, int originPort, String headerLines) throws Exception {
        return peerPort(client, "http://127.0.0.1:" + originPort + "/peer-port", headerLines);
    }

    static int peerPort(RawClient client, String requestTarget, String headerLines) throws Exception {
        client.send("GET " + requestTarget + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headerLines + "\r\n");
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

    /**
     * A reverse proxy's idle upstream connection serves a later client once its own client has gone, as haproxy's
     * and nginx's do (on the same event loop: clients take turns over the loops, so six clients one after another
     * reuse a few connections); a forward proxy's stays its client's.
     */
    @Test
    void aReverseProxysIdleUpstreamConnectionServesALaterClient() throws Exception {
        assertThat(portsOfClientsInTurn("rproxy", "/peer-port")).hasSizeLessThanOrEqualTo(3);
        assertThat(portsOfClientsInTurn("default", "http://127.0.0.1:" + origins.first().port() + "/peer-port"))
                .hasSize(6);
    }

    /** The upstream ports that served six clients, one after another, one request each. */
    private static Set<Integer> portsOfClientsInTurn(String server, String requestTarget) throws Exception {
        Set<Integer> ports = new HashSet<>();
        for (int i = 0; i < 6; i++) {
            try (RawClient client = new RawClient(origins.proxy().port(server))) {
                ports.add(peerPort(client, requestTarget, ""));
            }
            Thread.sleep(200); // the proxy sees the client go
        }
        return ports;
    }

    @Test
    void turnedOffEveryRequestGetsAConnectionOfItsOwn() throws Exception {
        try (RawClient client = new RawClient(origins.proxy().port("no-reuse"))) {
            int first = upstreamPort(client);
            assertThat(upstreamPort(client)).isNotEqualTo(first);
        }
    }
}
