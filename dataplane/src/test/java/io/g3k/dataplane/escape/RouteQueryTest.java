package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import io.g3k.dataplane.util.MsgPack;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * route_query against an agent speaking g3proxy's route query protocol (msgpack over UDP): its answers route, its
 * silence or an unlisted answer falls back, and answers are cached for their TTL.
 */
class RouteQueryTest {
    @TempDir
    Path dir;

    @Test
    void routesAsTheAgentSaysAndFallsBack() throws Exception {
        AtomicInteger queries = new AtomicInteger();
        try (DatagramSocket agent = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TestOrigin origin = TestOrigin.http()) {
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!agent.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        agent.receive(p);
                        queries.incrementAndGet();
                        var request = MsgPack.decodeMap(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                        String host = (String) request.get("host");
                        if (host.equals("silent.test")) {
                            continue;
                        }
                        Object nodes = switch (host) {
                            case "blocked.test" -> List.of("deny");
                            case "odd.test" -> "not_allowed";
                            default -> List.of("direct");
                        };
                        byte[] answer = MsgPack.encode(Map.of("id", request.get("id"), "nodes", nodes, "ttl", 60));
                        agent.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            try (RunningProxy proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                      - name: deny
                        type: dummy_deny
                      - name: direct
                        type: direct_fixed
                        resolver: default
                        egress_network_filter: {default: allow, allow: 127.0.0.1}
                        resolve_redirection:
                          - {exact: routed.test, to: 127.0.0.1}
                          - {exact: silent.test, to: 127.0.0.1}
                          - {exact: odd.test, to: 127.0.0.1}
                      - name: route
                        type: route_query
                        query_peer_addr: 127.0.0.1:%d
                        query_allowed_next: [direct, deny]
                        fallback_node: direct
                        query_wait_timeout: 300ms
                    server:
                      - name: http
                        type: http_proxy
                        escaper: route
                        listen: "127.0.0.1:0"
                    """.formatted(agent.getLocalPort()))) {
                String via = "http://127.0.0.1:" + proxy.port("http");
                String port = ":" + origin.port();
                var first = Curl.run("-x", via, "http://routed.test" + port + "/r");
                assertThat(first.out()).as(first.err()).isEqualTo("hello /r\n");
                assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}", "http://blocked.test" + port)
                        .out()).isEqualTo("403");
                assertThat(Curl.run("-x", via, "http://silent.test" + port + "/s").out()).as("timeout: fallback")
                        .isEqualTo("hello /s\n");
                assertThat(Curl.run("-x", via, "http://odd.test" + port + "/o").out()).as("unlisted: fallback")
                        .isEqualTo("hello /o\n");
                int before = queries.get();
                assertThat(Curl.run("-x", via, "http://routed.test" + port + "/cached").out())
                        .isEqualTo("hello /cached\n");
                assertThat(queries.get()).as("answered from the cache").isEqualTo(before);
            }
        }
    }
}
