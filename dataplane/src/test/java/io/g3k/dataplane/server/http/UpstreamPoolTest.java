package io.g3k.dataplane.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.OriginsFixture;
import io.g3k.dataplane.support.RawClient;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reverse proxy's shared idle upstream connections, on one worker loop (the pool is per loop): a client that asks
 * to close leaves its upstream connection to the next client as soon as its response is out, not once its own
 * connection is torn down.
 */
class UpstreamPoolTest {
    @RegisterExtension
    static final OriginsFixture origins = new OriginsFixture("""
                  - {name: rproxy, escaper: default, type: http_rproxy, listen: "127.0.0.1:0",
                     hosts: [{set_default: true, upstream: "127.0.0.1:%1$d"}]}
                """, "worker: {thread_number: 1}\n");

    @Test
    void closingClientsHandTheirUpstreamConnectionOnRightAway() throws Exception {
        int port = origins.proxy().port("rproxy");
        List<Integer> served = new ArrayList<>();
        for (int round = 0; round < 20; round++) {
            // the next client is connected and asks as soon as the one before has its whole response, while that
            // one's connection may still be closing on the proxy
            try (RawClient first = new RawClient(port); RawClient next = new RawClient(port)) {
                served.add(UpstreamKeepaliveTest.peerPort(first, "/peer-port", "Connection: close\r\n"));
                served.add(UpstreamKeepaliveTest.peerPort(next, "/peer-port", "Connection: close\r\n"));
            }
        }
        assertThat(served).as("the upstream connection of each of 40 requests").containsOnly(served.getFirst());
    }
}
