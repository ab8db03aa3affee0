package io.g3k.dataplane.task;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.G3kProcess;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The task log of a g3k process: one line a task, with the request target cut to {@code log_uri_max_chars}. */
class TaskLogTest {
    @TempDir
    Path dir;

    @Test
    void httpTasksLogTheirRequestTargetCutToLogUriMaxChars() throws Exception {
        int fwd = PeerProcess.freePort();
        int rev = PeerProcess.freePort();
        int users = PeerProcess.freePort();
        try (TestOrigin origin = TestOrigin.http()) {
            Path config = Files.writeString(dir.resolve("main.yml"), "log: stdout\n" + Yaml.withServers("""
                      - {name: fwd, escaper: default, type: http_proxy, listen: "127.0.0.1:%d", log_uri_max_chars: 32}
                      - {name: rev, escaper: default, type: http_rproxy, listen: "127.0.0.1:%d",
                         hosts: [{set_default: true, upstream: "127.0.0.1:%d"}]}
                      - {name: users, escaper: default, type: http_proxy, listen: "127.0.0.1:%d", user_group: g}
                    """.formatted(fwd, rev, origin.port(), users))
                    + "user_group: [{name: g, static_users: [{name: brief, token: null, log_uri_max_chars: 20}]}]\n");
            try (G3kProcess g3k = G3kProcess.start(config, "tasklog", dir)) {
                String target = "http://127.0.0.1:" + origin.port() + "/a-rather-long-path/of/many/parts";
                assertThat(Curl.run("-x", "http://127.0.0.1:" + fwd, target).out()).startsWith("hello ");
                assertThat(Curl.run("http://127.0.0.1:" + rev + "/short?q=1").out()).startsWith("hello ");
                // a user's own log_uri_max_chars wins over the server's default (1024)
                assertThat(Curl.run("-x", "http://127.0.0.1:" + users, "-U", "brief:x", target).out()).startsWith("hello ");
                Awaitility.await().atMost(Duration.ofSeconds(5))
                        .until(() -> g3k.log().contains("server=rev") && g3k.log().contains("server=users"));
                assertThat(g3k.log())
                        .contains("server=fwd type=http_forward", " uri=" + target.substring(0, 32) + "...\n")
                        .contains("server=rev", " uri=/short?q=1\n")
                        .contains(" uri=" + target.substring(0, 20) + "...\n");
            }
        }
    }
}
