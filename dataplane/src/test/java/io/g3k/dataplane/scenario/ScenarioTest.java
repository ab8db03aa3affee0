package io.g3k.dataplane.scenario;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.Dnsmasq;
import io.g3k.dataplane.support.G3kProcess;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The guide's Scenario Designs, from examples/scenarios, each node a separate g3k process on loopback. */
class ScenarioTest {
    static final Path SCENARIOS = Path.of("../examples/scenarios");

    @TempDir
    Path dir;
    TestPki pki;
    final Map<String, String> replacements = new LinkedHashMap<>();

    @BeforeEach
    void pki() throws Exception {
        pki = new TestPki(dir);
        replacements.put("certs/ca.pem", pki.caPem.toString());
        replacements.put("certs/relay.pem", pki.serverCertPem.toString());
        replacements.put("certs/relay.key", pki.serverKeyPem.toString());
        replacements.put("certs/client.pem", pki.clientCertPem.toString());
        replacements.put("certs/client.key", pki.clientKeyPem.toString());
        replacements.put("relay.g3k.test", "localhost");
        // the scenarios' origins are on loopback, which the direct escapers deny by default
        replacements.put("type: direct_fixed\n    resolver: default",
                "type: direct_fixed\n    resolver: default\n    egress_network_filter: {default: allow, allow: 127.0.0.1}");
    }

    Path node(String example, String name) throws Exception {
        String yaml = Files.readString(SCENARIOS.resolve(example));
        for (var e : replacements.entrySet()) {
            yaml = yaml.replace(e.getKey(), e.getValue());
        }
        return Files.writeString(dir.resolve(name + ".yml"), yaml);
    }

    void port(int example) throws Exception {
        replacements.put("127.0.0.1:" + example, "127.0.0.1:" + PeerProcess.freePort());
    }

    @Test
    void dualExitFailsOverToTheSecondPopWithoutClientErrors() throws Exception {
        for (int p : new int[] {18441, 18442, 18080}) {
            port(p);
        }
        try (TestOrigin origin = TestOrigin.http()) {
            replacements.put("127.0.0.1:18442\"", replacements.get("127.0.0.1:18442") + "\"");
            G3kProcess pop1 = G3kProcess.start(node("dual_exit/relay.yml", "pop1"), "pop1", dir);
            Path pop2Config = node("dual_exit/relay.yml", "pop2-base");
            Files.writeString(pop2Config, Files.readString(pop2Config).replace(replacements.get("127.0.0.1:18441"),
                    replacements.get("127.0.0.1:18442")));
            try (G3kProcess pop2 = G3kProcess.start(pop2Config, "pop2", dir);
                 G3kProcess gw = G3kProcess.start(node("dual_exit/gw.yml", "gw"), "gw", dir)) {
                String proxy = "http://" + replacements.get("127.0.0.1:18080");
                for (int i = 0; i < 30; i++) {
                    if (i == 10) {
                        pop1.kill();
                    }
                    var r = Curl.run("-x", proxy, "http://127.0.0.1:" + origin.port() + "/dual" + i);
                    assertThat(r.out()).as("request %d: %s", i, r.err()).isEqualTo("hello /dual" + i + "\n");
                }
                assertThat(pop2.serverTasks("relay")).as(pop2.log()).isGreaterThanOrEqualTo(20);
            } finally {
                pop1.kill();
            }
        }
    }

    @Test
    void multiRegionKeepsLocalSitesLocalAndRelaysTheOthers() throws Exception {
        for (int p : new int[] {18181, 18182, 18191, 18192}) {
            port(p);
        }
        try (TestOrigin origin = TestOrigin.http();
             Dnsmasq dns = Dnsmasq.start("/a1.example/127.0.0.1", "/a2.example/127.0.0.1")) {
            replacements.put("    type: c-ares\n", "    type: c-ares\n    server: 127.0.0.1:" + dns.port() + "\n");
            try (G3kProcess a1 = G3kProcess.start(node("multi_region/a1.yml", "a1"), "a1", dir);
                 G3kProcess a2 = G3kProcess.start(node("multi_region/a2.yml", "a2"), "a2", dir)) {
                String gw1 = "http://" + replacements.get("127.0.0.1:18181");
                String gw2 = "http://" + replacements.get("127.0.0.1:18182");
                // a1's own site stays in a1; an a2 site from a1 goes through a2's relay
                assertThat(Curl.run("-x", gw1, "http://site.a1.example:" + origin.port() + "/local").out())
                        .isEqualTo("hello /local\n");
                assertThat(a2.serverTasks("relay")).isZero();
                assertThat(Curl.run("-x", gw1, "http://site.a2.example:" + origin.port() + "/remote").out())
                        .isEqualTo("hello /remote\n");
                assertThat(a2.serverTasks("relay")).isEqualTo(1);
                // and the other way round
                assertThat(Curl.run("-x", gw2, "http://site.a1.example:" + origin.port() + "/back").out())
                        .isEqualTo("hello /back\n");
                assertThat(a1.serverTasks("relay")).isEqualTo(1);
            }
        }
    }
}
