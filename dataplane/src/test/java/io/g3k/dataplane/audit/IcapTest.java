package io.g3k.dataplane.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ICAP REQMOD and RESPMOD against a real c-icap on loopback: its url_check service blocks a host before anything is
 * connected, its content_filter service masks and blocks request and response bodies (with preview, 100 Continue
 * and ieof), and its answers of 204 leave messages alone. Sampling off and a dead service (with and without
 * {@code bypass}) behave as configured.
 */
class IcapTest {
    @TempDir
    static Path dir;
    static PeerProcess icap;
    static TestOrigin origin;

    @BeforeAll
    static void start() throws Exception {
        icap = PeerProcess.cIcap(dir, "blocked.test");
        origin = TestOrigin.http();
    }

    @AfterAll
    static void stop() throws Exception {
        origin.close();
        icap.close();
    }

    static RunningProxy proxy(String name, String auditor) throws Exception {
        return RunningProxy.start(Files.createDirectories(dir.resolve(name)), """
                auditor:
                  - name: icap
                %s
                """.formatted(auditor) + Yaml.withServers("""
                  - name: http
                    type: http_proxy
                    escaper: default
                    auditor: icap
                    listen: "127.0.0.1:0"
                """));
    }

    String service(String name) {
        return "icap://127.0.0.1:" + icap.port() + "/" + name;
    }

    static Curl.Result get(RunningProxy proxy, String url) throws Exception {
        return Curl.run("-s", "-x", "http://127.0.0.1:" + proxy.port("http"), "-w", "\n%{http_code}", url);
    }

    @Test
    void reqmodBlocksAHostBeforeAnyConnectAndPassesTheRest() throws Exception {
        try (RunningProxy proxy = proxy("reqmod", "    icap_reqmod_service: " + service("url_check"))) {
            int before = origin.requests.get();
            var blocked = get(proxy, "http://blocked.test:" + origin.port() + "/x");
            assertThat(blocked.out()).contains("Access denied").endsWith("403");
            var passed = get(proxy, "http://127.0.0.1:" + origin.port() + "/ok");
            assertThat(passed.out()).isEqualTo("hello /ok\n\n200");
            assertThat(origin.requests.get()).isEqualTo(before + 1);
        }
    }

    @Test
    void respmodMasksAndBlocksResponseBodies() throws Exception {
        try (RunningProxy proxy = proxy("respmod", "    icap_respmod_service: " + service("content_filter"))) {
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/top-secret").out())
                    .isEqualTo("hello /XXXXXXXXXX\n\n200");
            var blocked = get(proxy, "http://127.0.0.1:" + origin.port() + "/forbidden-word");
            assertThat(blocked.out()).contains("Web page access blocked").endsWith("403");
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/plain").out())
                    .isEqualTo("hello /plain\n\n200");
        }
    }

    @Test
    void reqmodAdaptsRequestBodiesWithAndWithoutContinue() throws Exception {
        try (RunningProxy proxy = proxy("reqmod-body", "    icap_reqmod_service: " + service("content_filter"))) {
            // the preview (1024 bytes) holds the small body whole: ieof; the large one needs 100 Continue
            for (String body : new String[] {"a top-secret plan", "x".repeat(5000) + " top-secret end"}) {
                var echoed = Curl.run("-s", "-x", "http://127.0.0.1:" + proxy.port("http"), "-H", "Content-Type: text/plain",
                        "--data-binary", body,
                        "http://127.0.0.1:" + origin.port() + "/echo");
                assertThat(echoed.out()).as(echoed.err()).isEqualTo(body.replace("top-secret", "XXXXXXXXXX"));
            }
        }
    }

    @Test
    void noSamplingMeansNoAdaptation() throws Exception {
        try (RunningProxy proxy = proxy("unsampled", "    icap_respmod_service: " + service("content_filter")
                + "\n    application_audit_ratio: 0")) {
            assertThat(get(proxy, "http://127.0.0.1:" + origin.port() + "/top-secret").out())
                    .isEqualTo("hello /top-secret\n\n200");
        }
    }

    @Test
    void aDeadServiceFailsClosedUnlessBypassed() throws Exception {
        int dead = PeerProcess.freePort();
        try (RunningProxy closed = proxy("closed", "    icap_reqmod_service: icap://127.0.0.1:" + dead + "/x");
             RunningProxy open = proxy("bypass", "    icap_reqmod_service: {url: icap://127.0.0.1:" + dead
                     + "/x, bypass: true}")) {
            int before = origin.requests.get();
            assertThat(get(closed, "http://127.0.0.1:" + origin.port() + "/d").out()).endsWith("502");
            assertThat(origin.requests.get()).isEqualTo(before);
            assertThat(get(open, "http://127.0.0.1:" + origin.port() + "/d").out()).isEqualTo("hello /d\n\n200");
            assertThat(closed.aliveTasks()).isZero();
        }
    }
}
