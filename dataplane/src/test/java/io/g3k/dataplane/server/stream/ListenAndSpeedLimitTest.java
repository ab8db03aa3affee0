package io.g3k.dataplane.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** listen_in_worker (one SO_REUSEPORT listener per worker) and per-socket speed limits on servers and escapers. */
class ListenAndSpeedLimitTest {
    @TempDir
    Path dir;

    @Test
    void listenInWorkerBindsOneListenerPerWorker() throws Exception {
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(dir, "worker:\n  thread_number: 3\n" + Yaml.withServers("""
                       - name: tcp
                         escaper: default
                         type: tcp_stream
                         listen: "127.0.0.1:0"
                         listen_in_worker: true
                         proxy_pass: "127.0.0.1:%d"
                     """.formatted(origin.port())))) {
            assertThat(proxy.listeners("tcp")).hasSize(3).allMatch(a -> a.getPort() == proxy.port("tcp"));
            for (int i = 0; i < 6; i++) {
                assertThat(Curl.run("http://127.0.0.1:" + proxy.port("tcp") + "/w" + i).out()).isEqualTo("hello /w" + i + "\n");
            }
        }
    }

    /**
     * A 1 MiB download through a 256 KB/s limit cannot finish in under 2 s (it needs about 4): a behaviour check
     * with a wide margin, not a performance measurement.
     */
    @Test
    void serverAndEscaperSpeedLimitsThrottleTheRelay() throws Exception {
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(dir, Yaml.withServers("""
                       - name: limited
                         escaper: default
                         type: tcp_stream
                         listen: "127.0.0.1:0"
                         tcp_sock_speed_limit: 256K/s
                         proxy_pass: "127.0.0.1:%d"
                     """.formatted(origin.port())))) {
            long start = System.nanoTime();
            var r = Curl.run("-o", "/dev/null", "-w", "%{size_download}", "http://127.0.0.1:" + proxy.port("limited") + "/big");
            long ms = (System.nanoTime() - start) / 1_000_000;
            assertThat(r.out()).isEqualTo(String.valueOf(1 << 20));
            assertThat(ms).isGreaterThan(2_000);
        }
        Path other = java.nio.file.Files.createDirectories(dir.resolve("escaper"));
        String escaperLimited = Yaml.RESOLVER_AND_ESCAPER.replace("egress_network_filter:",
                "tcp_sock_speed_limit: 256K\n    egress_network_filter:");
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(other, escaperLimited + """
                     server:
                       - name: tcp
                         escaper: default
                         type: tcp_stream
                         listen: "127.0.0.1:0"
                         proxy_pass: "127.0.0.1:%d"
                     """.formatted(origin.port()))) {
            long start = System.nanoTime();
            var r = Curl.run("-o", "/dev/null", "-w", "%{size_download}", "http://127.0.0.1:" + proxy.port("tcp") + "/big");
            assertThat(r.out()).isEqualTo(String.valueOf(1 << 20));
            assertThat((System.nanoTime() - start) / 1_000_000).isGreaterThan(2_000);
        }
    }

    /**
     * An http_proxy's limit paces what its clients send too: a 1 MiB upload at 256 KB a slice needs about 3 s after
     * the first slice, forwarded or through CONNECT. On io_uring, where an HTTP client reads through shared receive
     * buffers, it used to go through in under 0.2 s.
     */
    @Test
    void anHttpProxysLimitPacesUploads() throws Exception {
        Path body = java.nio.file.Files.write(dir.resolve("body"), new byte[1 << 20]);
        try (TestOrigin origin = TestOrigin.http();
             RunningProxy proxy = RunningProxy.start(java.nio.file.Files.createDirectories(dir.resolve("upload")),
                     io.g3k.dataplane.support.Configs.proxies(true, "    tcp_sock_speed_limit: 256K\n", ""))) {
            for (String tunnel : java.util.List.of("--no-proxytunnel", "--proxytunnel")) {
                long start = System.nanoTime();
                var r = Curl.run("-x", "http://127.0.0.1:" + proxy.port("http"), tunnel, "--data-binary", "@" + body,
                        "http://127.0.0.1:" + origin.port() + "/up");
                assertThat(r.out()).as(r.err()).isEqualTo("hello /up\n");
                assertThat((System.nanoTime() - start) / 1_000_000).as(tunnel).isGreaterThan(2_000);
            }
        }
    }
}
