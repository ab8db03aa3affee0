package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.util.MsgPack;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** route_geoip with an IP locate peer answering in the protocol's numeric-key form, and local networks. */
class RouteGeoIpTest {
    @TempDir
    Path dir;

    @Test
    void routesByCountryAndByNetwork() throws Exception {
        try (DatagramSocket locator = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
             TestOrigin origin = TestOrigin.http();
             Dnsmasq dns = Dnsmasq.start("/cn.test/127.0.0.1", "/us.test/127.0.0.2")) {
            Thread.ofVirtual().start(() -> {
                byte[] buf = new byte[2048];
                while (!locator.isClosed()) {
                    try {
                        DatagramPacket p = new DatagramPacket(buf, buf.length);
                        locator.receive(p);
                        var request = MsgPack.decodeMap(Arrays.copyOf(p.getData(), p.getLength()));
                        String ip = (String) request.get("ip");
                        Map<String, Object> answer = new LinkedHashMap<>();
                        answer.put("1", ip);
                        answer.put("2", 60);
                        answer.put("3", ip + "/32");
                        answer.put("4", ip.equals("127.0.0.1") ? "cn" : "US");
                        byte[] out = MsgPack.encode(answer);
                        locator.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            try (RunningProxy proxy = RunningProxy.start(dir, """
                    resolver:
                      - name: dns
                        type: c-ares
                        server: 127.0.0.1:%d
                    escaper:
                      - name: direct
                        type: direct_fixed
                        resolver: dns
                        egress_network_filter: {default: allow, allow: 127.0.0.1}
                      - name: deny
                        type: dummy_deny
                      - name: geo
                        type: route_geoip
                        resolver: dns
                        ip_locate_service:
                          query_peer_addr: 127.0.0.1:%d
                          query_wait_timeout: 1s
                        geo_rules:
                          - next: deny
                            countries: [us]
                          - next: direct
                            countries: [CN]
                        default_next: deny
                    server:
                      - name: http
                        type: http_proxy
                        escaper: geo
                        listen: "127.0.0.1:0"
                    """.formatted(dns.port(), locator.getLocalPort()))) {
                String via = "http://127.0.0.1:" + proxy.port("http");
                assertThat(Curl.run("-x", via, "http://cn.test:" + origin.port() + "/cn").out()).isEqualTo("hello /cn\n");
                assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}",
                        "http://us.test:" + origin.port() + "/").out()).isEqualTo("403");
            }
            locator.close();
        }
    }
}
