package io.g3k.dataplane.escape;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** proxy_float reading its peers from a real redis-server set, following changes. */
class ProxyFloatRedisTest {
    @TempDir
    Path dir;

    static void redisCli(int port, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("redis-cli", "-p", String.valueOf(port)));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void followsTheRedisSet() throws Exception {
        int redisPort = PeerProcess.freePort();
        Process redis = new ProcessBuilder("redis-server", "--port", String.valueOf(redisPort), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no").redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile()).start();
        try (TestOrigin origin = TestOrigin.http(); PeerProcess socks = PeerProcess.microsocks(dir, "r", "s");
             RunningProxy proxy = RunningProxy.start(dir, Yaml.RESOLVER_AND_ESCAPER + """
                       - name: out
                         type: proxy_float
                         source: redis://127.0.0.1:%d/0?sets_key=peers
                         refresh_interval: 200ms
                     server:
                       - name: http
                         type: http_proxy
                         escaper: out
                         listen: "127.0.0.1:0"
                     """.formatted(redisPort))) {
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                redisCli(redisPort, "PING");
                return true;
            });
            String via = "http://127.0.0.1:" + proxy.port("http");
            String url = "http://127.0.0.1:" + origin.port() + "/redis";
            assertThat(Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}", url).out()).isEqualTo("523");
            redisCli(redisPort, "SADD", "peers", "{\"type\":\"socks5\",\"addr\":\"127.0.0.1:" + socks.port()
                    + "\",\"username\":\"r\",\"password\":\"s\"}");
            await().atMost(Duration.ofSeconds(10)).until(() -> Curl.run("-x", via, url).out().equals("hello /redis\n"));
            redisCli(redisPort, "DEL", "peers");
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    Curl.run("-x", via, "-o", "/dev/null", "-w", "%{http_code}", url).out().equals("523"));
        } finally {
            redis.destroy();
            redis.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
