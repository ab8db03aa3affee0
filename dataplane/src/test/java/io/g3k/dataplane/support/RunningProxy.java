package io.g3k.dataplane.support;

import io.g3k.config.ConfigLoader;
import io.g3k.dataplane.runtime.Daemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A g3k data plane started in-process from YAML text; listeners use port 0, so tests never collide. */
public final class RunningProxy implements AutoCloseable {
    private final Daemon daemon;

    private RunningProxy(Daemon daemon) {
        this.daemon = daemon;
    }

    public static RunningProxy start(Path dir, String yaml) throws IOException {
        Path main = Files.writeString(dir.resolve("main.yml"), yaml);
        return new RunningProxy(Daemon.start(ConfigLoader.load(main)));
    }

    public int port(String server) {
        return daemon.server(server).orElseThrow().boundAddresses().getFirst().getPort();
    }

    public java.util.List<java.net.InetSocketAddress> listeners(String server) {
        return daemon.server(server).orElseThrow().boundAddresses();
    }

    /** What {@code g3k ctl escaper <name> publish <json>} does. */
    public String publish(String escaper, String json) {
        return daemon.escaper(escaper).orElseThrow().publish(json);
    }

    /** The Prometheus endpoint's text, as a scrape would get it. */
    public String metrics() {
        try {
            return new String(daemon.prometheus().scrape(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int aliveTasks() {
        return daemon.aliveTasks();
    }

    @Override
    public void close() {
        daemon.close();
    }
}
