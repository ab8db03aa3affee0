package io.g3k.dataplane.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;

/** A g3k data plane in its own process (this JVM's classpath), with its control interface on a loopback port. */
public final class G3kProcess implements AutoCloseable {
    private final Process process;
    private final int controlPort;
    private final Path log;

    private G3kProcess(Process process, int controlPort, Path log) {
        this.process = process;
        this.controlPort = controlPort;
        this.log = log;
    }

    public static G3kProcess start(Path config, String group, Path dir) throws Exception {
        int controlPort = PeerProcess.freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = dir.resolve(group + ".log");
        Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-cp",
                System.getProperty("java.class.path"), "io.g3k.dataplane.G3k", "run", "-c", config.toString(),
                "-G", group, "-C", dir.resolve("ctl").toString(), "--control-listen", "127.0.0.1:" + controlPort))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        G3kProcess g3k = new G3kProcess(p, controlPort, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("g3k " + group + " exited: " + Files.readString(log));
            }
            try {
                if (g3k.get("/healthz").contains("online")) {
                    return g3k;
                }
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        p.destroyForcibly();
        throw new IllegalStateException("g3k " + group + " did not come up: " + Files.readString(log));
    }

    /** A control call without token (loopback control address); the body. */
    public String get(String path) throws IOException, InterruptedException {
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + controlPort + path)).build(), HttpResponse.BodyHandlers.ofString());
        return r.body();
    }

    /** The Prometheus value of {@code g3proxy_server_task_total} for one server, 0 when absent. */
    public double serverTasks(String server) throws IOException, InterruptedException {
        for (String line : get("/metrics").lines().toList()) {
            if (line.startsWith("g3proxy_server_task_total{") && line.contains("server=\"" + server + "\"")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return 0;
    }

    public String log() throws IOException {
        return Files.readString(log);
    }

    /** Sends SIGTERM, as Kubernetes does to stop a pod, and returns at once. */
    public void terminate() {
        process.destroy();
    }

    /** The exit code once the process has exited, waiting up to {@code timeout}; empty if it still runs. */
    public OptionalInt awaitExit(Duration timeout) throws InterruptedException {
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)
                ? OptionalInt.of(process.exitValue()) : OptionalInt.empty();
    }

    /** Kills the process at once (SIGKILL), as a crashed node. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
