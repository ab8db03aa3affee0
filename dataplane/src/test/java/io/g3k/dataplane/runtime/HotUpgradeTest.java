package io.g3k.dataplane.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.g3k.dataplane.control.ControlClient;
import io.g3k.dataplane.control.ControlPaths;
import io.g3k.dataplane.support.PeerProcess;
import io.g3k.dataplane.support.RawClient;
import io.g3k.dataplane.support.TestOrigin;
import io.g3k.dataplane.support.Yaml;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real g3k processes under a bounded load of requests and one long CONNECT tunnel: 20 reloads that replace the
 * server, then a hot upgrade (a second process of the same group takes over; the first drains). Zero failed
 * requests, zero cut tunnels.
 */
class HotUpgradeTest {
    @TempDir
    Path dir;

    @Test
    void reloadsAndAHotUpgradeDropNothing() throws Exception {
        enableTcpMigrateReq();
        int port = PeerProcess.freePort();
        Path controlDir = dir.resolve("ctl");
        try (TestOrigin origin = TestOrigin.http()) {
            Path main = dir.resolve("main.yml");
            Files.writeString(main, config(port, 10));
            List<Process> processes = new ArrayList<>();
            try {
                Process first = start(main, controlDir, "first");
                processes.add(first);
                awaitSocket(ControlPaths.group(controlDir, "hu"));
                ControlClient group = new ControlClient(UnixDomainSocketAddress.of(ControlPaths.group(controlDir, "hu")),
                        Optional.empty());

                AtomicBoolean running = new AtomicBoolean(true);
                AtomicInteger ok = new AtomicInteger();
                List<String> failures = new ArrayList<>();
                String request = "GET http://127.0.0.1:" + origin.port() + "/load HTTP/1.1\r\nHost: o\r\nConnection: close\r\n\r\n";
                Thread load = Thread.ofPlatform().start(() -> {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                    while (running.get() && System.nanoTime() < deadline) {
                        try (RawClient c = new RawClient(port)) {
                            String r = c.send(request).readUntilClosed();
                            if (r.startsWith("HTTP/1.1 200") && r.endsWith("hello /load\n")) {
                                ok.incrementAndGet();
                            } else {
                                synchronized (failures) {
                                    failures.add(r.isEmpty() ? "empty answer" : r.lines().findFirst().orElse(r));
                                }
                            }
                        } catch (Exception | AssertionError e) {
                            synchronized (failures) {
                                failures.add(e.toString());
                            }
                        }
                    }
                });

                try (Socket tunnel = new Socket("127.0.0.1", port)) {
                    tunnel.setSoTimeout(5000);
                    tunnel.getOutputStream().write(("CONNECT 127.0.0.1:" + origin.port() + " HTTP/1.1\r\nHost: o\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    assertThat(readHead(tunnel.getInputStream())).startsWith("HTTP/1.1 200");
                    for (int i = 0; i < 20; i++) {
                        Files.writeString(main, config(port, 11 + i % 2));
                        var reload = group.call("POST", "/reload", new byte[0]);
                        assertThat(reload.status()).as(reload.body()).isEqualTo(200);
                        assertThat(reload.body()).contains("(re)started [http]");
                        assertThat(exchangeOnTunnel(tunnel, "r" + i)).isEqualTo("hello /r" + i + "\n");
                    }
                    Process second = start(main, controlDir, "second");
                    processes.add(second);
                    awaitLog(dir.resolve("second.log"), "hot upgrade");
                    for (int i = 0; i < 10; i++) {
                        Thread.sleep(100);
                        assertThat(exchangeOnTunnel(tunnel, "drain" + i)).isEqualTo("hello /drain" + i + "\n");
                    }
                    assertThat(first.isAlive()).as("the first process drains its tunnel").isTrue();
                }
                assertThat(first.waitFor(15, TimeUnit.SECONDS)).as("the first process exits once drained").isTrue();
                Thread.sleep(500);
                running.set(false);
                load.join();
                assertThat(failures).isEmpty();
                assertThat(ok.get()).isGreaterThan(20);
                var version = group.call("GET", "/version", new byte[0]);
                assertThat(version.body()).contains(String.valueOf(processes.get(1).pid()));
            } finally {
                for (Process p : processes) {
                    p.destroy();
                    p.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
    }

    static String config(int port, int pipelineSize) {
        return "runtime:\n  task_wait_timeout: 30s\n" + Yaml.withServers("""
                  - name: http
                    escaper: default
                    type: http_proxy
                    listen: "127.0.0.1:%d"
                    pipeline_size: %d
                """.formatted(port, pipelineSize));
    }

    Process start(Path main, Path controlDir, String name) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                "io.g3k.dataplane.G3k", "run", "-c", main.toString(), "-G", "hu", "-C", controlDir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile()).start();
    }

    static void awaitSocket(Path socket) throws InterruptedException {
        for (int i = 0; i < 200 && !Files.exists(socket); i++) {
            Thread.sleep(50);
        }
        assertThat(socket).exists();
    }

    static void awaitLog(Path log, String text) throws Exception {
        for (int i = 0; i < 200; i++) {
            if (Files.exists(log) && Files.readString(log).contains(text)) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(log + " never said '" + text + "': " + (Files.exists(log) ? Files.readString(log) : ""));
    }

    /** One keep-alive request through the established tunnel; the body of the answer. */
    static String exchangeOnTunnel(Socket tunnel, String path) throws IOException {
        tunnel.getOutputStream().write(("GET /" + path + " HTTP/1.1\r\nHost: o\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        String head = readHead(tunnel.getInputStream());
        int length = Integer.parseInt(head.lines().filter(l -> l.toLowerCase().startsWith("content-length:"))
                .findFirst().orElseThrow().substring(15).trim());
        return new String(tunnel.getInputStream().readNBytes(length), StandardCharsets.ISO_8859_1);
    }

    static String readHead(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (!sb.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("tunnel closed; got " + sb);
            }
            sb.append((char) b);
        }
        return sb.toString();
    }

    /** Linux >= 5.14 moves queued connections of a closing SO_REUSEPORT listener to its sibling; best effort. */
    static void enableTcpMigrateReq() {
        try {
            Files.writeString(Path.of("/proc/sys/net/ipv4/tcp_migrate_req"), "1");
        } catch (IOException | SecurityException e) {
            // not root or an older kernel: the test may then see a rare reset during the upgrade
        }
    }
}
