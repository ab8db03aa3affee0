package io.g3k.dataplane;

import io.g3k.config.ConfigException;
import io.g3k.config.ConfigLoader;
import io.g3k.config.G3Config;
import io.g3k.dataplane.control.ControlClient;
import io.g3k.dataplane.control.ControlPaths;
import io.g3k.dataplane.control.ControlServer;
import io.g3k.dataplane.auth.PassphraseHashCommand;
import io.g3k.dataplane.control.CtlCommand;
import io.g3k.dataplane.runtime.Controller;
import io.g3k.dataplane.runtime.Daemon;
import io.g3k.dataplane.train.TrainCommand;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The g3k command line: {@code run}, {@code check}, {@code ctl}, {@code passphrase-hash}, {@code train},
 * {@code --version}.
 */
@Command(name = "g3k", mixinStandardHelpOptions = true, versionProvider = G3k.Version.class,
        description = "g3proxy-compatible forward/reverse proxy on Netty.",
        subcommands = {G3k.Run.class, G3k.Check.class, CtlCommand.class, PassphraseHashCommand.class,
                TrainCommand.class})
public final class G3k {
    static final int CONFIG_ERROR = 2;

    public static void main(String[] args) {
        // Netty's sampled leak tracking costs every message a touch() on the hot path; set the property to
        // "simple" or "paranoid" to hunt a leak
        if (System.getProperty("io.netty.leakDetection.level") == null) {
            System.setProperty("io.netty.leakDetection.level", "disabled");
        }
        System.exit(new CommandLine(new G3k()).execute(args));
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = {"Run the proxy with a g3proxy config.",
            "If another g3k of the same group runs, this one binds the same ports, then tells it to go offline"
                    + " and drain (hot upgrade)."})
    static final class Run implements Callable<Integer> {
        private static final Logger LOG = LoggerFactory.getLogger("g3k");

        @Option(names = {"-c", "--config-file"}, required = true, description = "main.yml, or a directory holding it")
        Path config;

        @Option(names = {"-G", "--group-name"}, defaultValue = "g3k", description = "daemon group (default: ${DEFAULT-VALUE})")
        String group;

        @Option(names = {"-C", "--control-dir"}, description = "control socket directory (default: $RUNTIME_DIRECTORY or /tmp/g3k)")
        Path controlDir;

        @Option(names = "--control-listen", description = "also serve the control interface (and /metrics) on this TCP address")
        String controlListen;

        @Option(names = "--admin-token-file", description = "bearer token for the TCP control address (or env G3K_ADMIN_TOKEN)")
        Path tokenFile;

        @Option(names = "--state-dir", description = "where pushed configs are kept (default: the config's directory)")
        Path stateDir;

        @Override
        public Integer call() throws IOException {
            G3Config loaded;
            try {
                loaded = ConfigLoader.load(config);
            } catch (ConfigException e) {
                System.err.println("g3k: invalid config: " + e.getMessage());
                return CONFIG_ERROR;
            }
            Daemon daemon;
            try {
                daemon = Daemon.start(loaded, group);
            } catch (RuntimeException e) {
                System.err.println("g3k: cannot start: " + e.getMessage());
                return 1;
            }
            // start-up's own objects (config, contexts, caches: a few MB) to the old generation now, in one
            // collection before the predecessor hands over: left young, every young collection under load copied
            // them again until they were old enough (2-7 ms pauses instead of under 1 for the first 15 of them)
            System.gc();
            Controller controller = new Controller(daemon, loaded.mainFile(),
                    stateDir != null ? stateDir : loaded.mainFile().toAbsolutePath().getParent());
            Path dir = controlDir != null ? controlDir : ControlPaths.defaultDir();
            long pid = ProcessHandle.current().pid();
            ControlServer control;
            try {
                control = ControlServer.start(controller, ControlPaths.process(dir, group, pid),
                        Optional.ofNullable(controlListen).map(G3k::address), token());
                takeOverGroup(controller, daemon, control, dir);
            } catch (RuntimeException | IOException e) {
                System.err.println("g3k: cannot start the control interface: " + e.getMessage());
                daemon.close();
                return 1;
            }
            Signals.on("HUP", () -> {
                try {
                    controller.reload();
                } catch (RuntimeException e) {
                    LOG.error("SIGHUP: reload failed, running config unchanged: {}", e.getMessage());
                }
            });
            Signals.on("TERM", controller::offline);
            Signals.on("INT", controller::stopNow);
            try {
                controller.awaitStopped();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            control.close();
            return 0;
        }

        /**
         * Hot upgrade: a g3k already answering on the group socket is the predecessor. Our listeners are up
         * (SO_REUSEPORT shares the ports), so it can stop accepting and drain; then the group socket is ours.
         */
        private void takeOverGroup(Controller controller, Daemon daemon, ControlServer control, Path dir)
                throws IOException {
            Path groupSocket = ControlPaths.group(dir, group);
            if (Files.exists(groupSocket)) {
                try {
                    var old = new ControlClient(UnixDomainSocketAddress.of(groupSocket), Optional.empty());
                    var answer = old.call("POST", "/offline", new byte[0]);
                    LOG.info("hot upgrade: the previous g3k of group '{}' went offline: {}", group,
                            answer.body().replaceAll("\\s+", " "));
                } catch (IOException e) {
                    LOG.info("control: stale group socket {} removed", groupSocket);
                }
            }
            if (control.unixSockets()) {
                control.bindGroupSocket(controller, groupSocket);
                controller.onOffline(control::releaseGroupSocket);
            }
        }

        private Optional<String> token() throws IOException {
            if (tokenFile != null) {
                return Optional.of(Files.readString(tokenFile).trim());
            }
            return Optional.ofNullable(System.getenv("G3K_ADMIN_TOKEN")).filter(t -> !t.isBlank());
        }
    }

    static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = text.substring(0, colon).replace("[", "").replace("]", "");
        return new InetSocketAddress(host, Integer.parseInt(text.substring(colon + 1)));
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate a config and print it as g3k resolved it.")
    static final class Check implements Callable<Integer> {
        @Option(names = {"-c", "--config-file"}, required = true, description = "main.yml, or a directory holding it")
        Path config;

        @Override
        public Integer call() throws Exception {
            try {
                G3Config loaded = ConfigLoader.load(config);
                System.out.print(ResolvedConfigPrinter.print(loaded));
                loaded.warnings().forEach(w -> System.err.println("warning: " + w));
                return 0;
            } catch (ConfigException e) {
                System.err.println("g3k: invalid config: " + e.getMessage());
                return CONFIG_ERROR;
            }
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = G3k.class.getPackage().getImplementationVersion();
            return new String[] {"g3k " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
