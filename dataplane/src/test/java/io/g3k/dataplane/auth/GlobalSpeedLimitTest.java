package io.g3k.dataplane.auth;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.support.Configs;
import io.g3k.dataplane.support.Curl;
import io.g3k.dataplane.support.RunningProxy;
import io.g3k.dataplane.support.TestOrigin;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's {@code tcp_all_*_speed_limit}: one budget for all its connections, on every server of its group, with curl.
 * The bounds are behaviour with wide margins (the time the bytes need at the limit), not performance measurements.
 */
class GlobalSpeedLimitTest {
    private static final int MIB = 1 << 20;

    @TempDir
    static Path dir;
    static TestOrigin origin;
    static RunningProxy proxy;
    static String http;
    static String socks;

    /** The user root of {@link Configs#USER_GROUP} (password toor) limited, and free, with the same token, not. */
    @BeforeAll
    static void start() throws Exception {
        origin = TestOrigin.http();
        String users = "    user_group: users\n";
        proxy = RunningProxy.start(dir, Configs.proxies(true, users, users).replace("      - name: root\n", """
                      - name: free
                        token: {salt: 4e8f8a4e37f0fa1b, md5: d9d963915b9815d4cc39c196c2868900}
                      - name: root
                        tcp_all_download_speed_limit: 400K
                        tcp_all_upload_speed_limit: {replenish_interval: 500ms, replenish_bytes: 200K}
                """));
        http = "http://127.0.0.1:" + proxy.port("http");
        socks = "127.0.0.1:" + proxy.port("socks");
    }

    @AfterAll
    static void stop() {
        proxy.close();
        origin.close();
    }

    private record Timed(String out, Duration took) {}

    /** curl in a thread of its own: the common pool may have one thread on a small machine, and runs them in turn. */
    private static CompletableFuture<Timed> curl(String... args) {
        return CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try {
                var r = Curl.run(args);
                return new Timed(r.out() + r.err(), Duration.ofNanos(System.nanoTime() - start));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Thread::startVirtualThread);
    }

    /**
     * Two 1 MiB downloads of one user at 400 KB/s, one through the HTTP proxy and one through SOCKS5, need about
     * 5.2 s together; each alone at that rate would need 2.6 s. Another user's download beside them is not held back.
     */
    @Test
    void aUsersDownloadsShareOneBudgetAcrossConnectionsAndServers() {
        String big = "http://127.0.0.1:" + origin.port() + "/big";
        var viaHttp = curl("-x", http, "-U", "root:toor", "-o", "/dev/null", "-w", "%{size_download}", big);
        var viaSocks = curl("-x", "socks5h://root:toor@" + socks, "-o", "/dev/null", "-w", "%{size_download}", big);
        var other = curl("-x", http, "-U", "free:toor", "-o", "/dev/null", "-w", "%{size_download}", big);
        for (var download : List.of(viaHttp, viaSocks, other)) {
            assertThat(download.join().out()).isEqualTo(String.valueOf(MIB));
        }
        Duration slower = viaHttp.join().took().compareTo(viaSocks.join().took()) > 0 ? viaHttp.join().took()
                : viaSocks.join().took();
        assertThat(slower).isGreaterThan(Duration.ofMillis(4000));
        assertThat(other.join().took()).isLessThan(Duration.ofMillis(2000));
    }

    /**
     * 1 MiB sent by the user at 200 KB every 500 ms needs about 2.1 s after the first 200 KB, forwarded and through a
     * CONNECT tunnel; the same upload by another user does not (one after the other: the origin reads one at a time).
     */
    @Test
    void aUsersUploadsAreLimited() throws Exception {
        Path body = Files.write(dir.resolve("body"), new byte[MIB]);
        String url = "http://127.0.0.1:" + origin.port() + "/upload";
        var other = curl("-x", http, "-U", "free:toor", "--data-binary", "@" + body, url).join();
        assertThat(other.out()).isEqualTo("hello /upload\n");
        assertThat(other.took()).isLessThan(Duration.ofMillis(1500));
        for (String tunnel : List.of("--no-proxytunnel", "--proxytunnel")) {
            var limited = curl("-x", http, "-U", "root:toor", tunnel, "--data-binary", "@" + body, url).join();
            assertThat(limited.out()).isEqualTo("hello /upload\n");
            assertThat(limited.took()).as(tunnel).isGreaterThan(Duration.ofMillis(1600));
        }
    }
}
