package io.g3k.dataplane.runtime;

import io.g3k.config.ConfigLoader;
import io.g3k.config.G3Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the control interface and the signals act on: reload from disk (SIGHUP, {@code g3k ctl reload}), apply a
 * pushed config (the operator), go offline and drain. Reloads are serialised; a failed one leaves the running
 * config as it was and says why.
 */
public final class Controller {
    private static final Logger LOG = LoggerFactory.getLogger("g3k");

    private final Daemon daemon;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Path configPath;
    private final Path stateDir;
    private volatile boolean offline;
    private volatile Runnable onOffline = () -> { };

    public Controller(Daemon daemon, Path configPath) {
        this(daemon, configPath, configPath.toAbsolutePath().getParent());
    }

    /** {@code stateDir} holds pushed configs; in a pod the config mount is read-only, so it is elsewhere. */
    public Controller(Daemon daemon, Path configPath, Path stateDir) {
        this.daemon = daemon;
        this.configPath = configPath;
        this.stateDir = stateDir;
    }

    public Daemon daemon() {
        return daemon;
    }

    public boolean isOffline() {
        return offline;
    }

    /** Runs first when going offline (the control interface gives the group socket up for a successor). */
    public void onOffline(Runnable action) {
        this.onOffline = action;
    }

    /** Re-reads the config files and applies what changed. */
    public synchronized String reload() {
        return daemon.reload(ConfigLoader.load(configPath));
    }

    /**
     * Applies a pushed main config (self-contained YAML, relative paths resolved against the state directory).
     * It is validated and applied before it replaces the file that later reloads read, so a bad push changes
     * nothing.
     */
    public synchronized String push(String yaml) throws IOException {
        Path dir = stateDir;
        Files.createDirectories(dir);
        Path candidate = Files.createTempFile(dir, ".g3k-push-", ".yml");
        try {
            Files.writeString(candidate, yaml, StandardCharsets.UTF_8);
            G3Config next = ConfigLoader.load(candidate);
            String summary = daemon.reload(next);
            Path pushed = dir.resolve("g3k-pushed.yml");
            Files.move(candidate, pushed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            configPath = pushed;
            return summary;
        } finally {
            Files.deleteIfExists(candidate);
        }
    }

    /**
     * Stops accepting now; a successor (hot upgrade) already listens on the same ports. Tasks drain up to the
     * configured timeout on a background thread, then the process may exit.
     */
    public synchronized void offline() {
        if (offline) {
            return;
        }
        offline = true;
        onOffline.run();
        Duration timeout = daemon.config().runtime().taskWaitTimeout();
        LOG.info("going offline: no new connections; draining {} tasks for up to {}", daemon.aliveTasks(), timeout);
        daemon.offline();
        Thread.ofPlatform().name("g3k-drain").start(() -> {
            daemon.shutdown(timeout);
            stopped.countDown();
        });
    }

    /** Stops quickly (SIGINT). */
    public void stopNow() {
        daemon.shutdown(Duration.ofSeconds(1));
        stopped.countDown();
    }

    public void awaitStopped() throws InterruptedException {
        stopped.await();
    }
}
