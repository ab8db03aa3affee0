package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Route escapers (route_upstream by host, route_client by client address, route_resolved by resolved address,
 * route_select) and a fail_over resolver that answers when its primary is dead.
 */
class RoutingAndFailOverTest {
    @TempDir
    Path dir;

    @Test
    void routesByHostAndFailsOverBetweenResolvers() throws Exception {
        try (TestOrigin origin = TestOrigin.http(); Dnsmasq dns = Dnsmasq.start("/origin.test/127.0.0.1",
                "/blocked.test/127.0.0.1", "/faraway.test/192.0.2.7");
             RunningProxy proxy = RunningProxy.start(dir, """
                     resolver:
                       - name: virtual
                         type: fail_over
                         primary: dead
                         standby: alive
                         fallback_delay: 300ms
                       - name: dead
                         type: c-ares
                         server: 127.0.0.1:9
                         each_timeout: 5s
                       - name: alive
                         type: c-ares
                         server: 127.0.0.1:%d
                     escaper:
                       - name: direct
                         type: direct_fixed
                         resolver: virtual
                         egress_network_filter: {default: allow, allow: 127.0.0.1}
                       - name: deny
                         type: dummy_deny
                       - name: route
                         type: route_upstream
                         exact_match:
                           - next: deny
                             hosts: [blocked.test]
                         subnet_match:
                           - next: direct
                             networks: [127.0.0.0/8]
                         default_next: direct
                       - name: by_client
                         type: route_client
                         exact_match:
                           - next: deny
                             ips: [127.0.0.1]
                         default_next: direct
                       - name: by_address
                         type: route_resolved
                         resolver: alive
                         lpm_match:
                           - next: select
                             networks: [127.0.0.0/8]
                         default_next: deny
                       - name: select
                         type: route_select
                         next_nodes: [direct, {name: direct, weight: 2}]
                         next_pick_policy: rr
                     server:
                       - name: http
                         type: http_proxy
                         escaper: route
                         listen: "127.0.0.1:0"
                       - name: client_routed
                         type: http_proxy
                         escaper: by_client
                         listen: "127.0.0.1:0"
                       - name: address_routed
                         type: http_proxy
                         escaper: by_address
                         listen: "127.0.0.1:0"
                     """.formatted(dns.port()))) {
            String proxyUrl = "http://127.0.0.1:" + proxy.port("http");
            assertThat(Curl.run("-x", proxyUrl, "http://origin.test:" + origin.port() + "/resolved").out())
                    .isEqualTo("hello /resolved\n");
            assertThat(Curl.run("-x", proxyUrl, "http://127.0.0.1:" + origin.port() + "/subnet").out())
                    .isEqualTo("hello /subnet\n");
            assertThat(Curl.run("-x", proxyUrl, "-o", "/dev/null", "-w", "%{http_code}",
                    "http://blocked.test:" + origin.port() + "/").out()).isEqualTo("403");
            // route_client: loopback clients go to the deny escaper
            assertThat(Curl.run("-x", "http://127.0.0.1:" + proxy.port("client_routed"), "-o", "/dev/null", "-w",
                    "%{http_code}", "http://127.0.0.1:" + origin.port() + "/").out()).isEqualTo("403");
            // route_resolved: names resolving into 127/8 go through route_select to direct, others are denied
            String byAddress = "http://127.0.0.1:" + proxy.port("address_routed");
            for (int i = 0; i < 3; i++) {
                assertThat(Curl.run("-x", byAddress, "http://origin.test:" + origin.port() + "/sel" + i).out())
                        .isEqualTo("hello /sel" + i + "\n");
            }
            assertThat(Curl.run("-x", byAddress, "-o", "/dev/null", "-w", "%{http_code}",
                    "http://faraway.test:" + origin.port() + "/").out()).isEqualTo("403");
        }
    }
}
